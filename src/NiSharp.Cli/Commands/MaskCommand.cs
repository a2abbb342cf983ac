using System.CommandLine;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp mask epi|intersect …</c>: nilearn's <c>masking.compute_epi_mask</c> and <c>masking.intersect_masks</c>
/// (applying a mask to an image is <c>nisharp math 'img * (mask &gt; 0)'</c>).
/// </summary>
internal static class MaskCommand
{
    public static Command Create() => new("mask", "Brain masks: compute one from an EPI run (nilearn compute_epi_mask), or intersect/unite several (intersect_masks)")
    {
        Epi(), Intersect(),
    };

    private static Option<string> Output() => new("--output", "-o") { Description = "Output mask (uint8, .nii or .nii.gz)", Required = true };

    private static Command Epi()
    {
        var input = new Argument<string>("BOLD") { Description = "A 4D EPI run (or its 3D mean), read one volume at a time" };
        var lower = new Option<double>("--lower-cutoff") { Description = "Lower fraction of the histogram to ignore (nilearn lower_cutoff)", DefaultValueFactory = _ => 0.2 };
        var upper = new Option<double>("--upper-cutoff") { Description = "Upper fraction of the histogram to ignore (nilearn upper_cutoff)", DefaultValueFactory = _ => 0.85 };
        var opening = new Option<int>("--opening") { Description = "Morphological opening steps (nilearn opening; 0: none)", DefaultValueFactory = _ => 2 };
        var notConnected = new Option<bool>("--no-connected") { Description = "Keep every component, not only the largest (nilearn connected=False)" };
        var excludeZeros = new Option<bool>("--exclude-zeros") { Description = "Leave zero voxels out of the histogram (nilearn exclude_zeros=True)" };
        var output = Output();
        var cmd = new Command("epi", "A brain mask from an EPI run (nilearn compute_epi_mask)") { input, lower, upper, opening, notConnected, excludeZeros, output };
        cmd.SetAction(p =>
        {
            double lo = p.GetValue(lower), hi = p.GetValue(upper);
            if (!(lo >= 0 && lo < hi && hi <= 1)) throw new NiSharpException($"--lower-cutoff {lo} and --upper-cutoff {hi}: need 0 ≤ lower < upper ≤ 1");
            if (p.GetValue(opening) < 0) throw new NiSharpException($"--opening {p.GetValue(opening)}: must be 0 or more");
            var mask = Masking.ComputeEpiMask(p.GetValue(input)!, lo, hi, !p.GetValue(notConnected), p.GetValue(opening), p.GetValue(excludeZeros));
            return Write(p, mask, p.GetValue(output)!);
        });
        return cmd;
    }

    private static Command Intersect()
    {
        var inputs = new Argument<string[]>("MASK") { Description = "Masks on the same grid", Arity = ArgumentArity.OneOrMore };
        var threshold = new Option<double>("--threshold") { Description = "Keep voxels set in more than this fraction of the masks: 1 = intersection, 0 = union (nilearn threshold)", DefaultValueFactory = _ => 0.5 };
        var notConnected = new Option<bool>("--no-connected") { Description = "Keep every component, not only the largest (nilearn connected=False)" };
        var output = Output();
        var cmd = new Command("intersect", "Intersect (or unite) masks (nilearn intersect_masks)") { inputs, threshold, notConnected, output };
        cmd.SetAction(p =>
        {
            var masks = p.GetValue(inputs)!.Select(path => Masking.LoadMask(path, allowEmpty: true)).ToList();
            var mask = Masking.IntersectMasks(masks, p.GetValue(threshold), !p.GetValue(notConnected));
            return Write(p, mask, p.GetValue(output)!);
        });
        return cmd;
    }

    private static int Write(ParseResult p, Image<byte> mask, string outPath)
    {
        mask.Save(outPath);
        int n = 0;
        foreach (var v in mask.Data) if (v != 0) n++;
        var zooms = mask.Affine.VoxelSizes;
        p.Out().WriteLine(System.FormattableString.Invariant($"{outPath}: {n} voxels in the mask ({n * zooms.Item1 * zooms.Item2 * zooms.Item3 / 1000:0.#} cm³), {mask.ShapeText()}"));
        return 0;
    }
}
