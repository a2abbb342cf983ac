using System.CommandLine;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp resample SOURCE --target TARGET [--interpolation nearest|linear|continuous] -o OUT</c>:
/// nilearn's resample_to_img, 4D streamed volume by volume.
/// </summary>
internal static class ResampleCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SOURCE") { Description = "Image to resample: a NIfTI file or a bundled atlas/template name (e.g. yeo7)" };
        var target = new Option<string>("--target") { Description = "Image whose grid to use: a NIfTI file or a bundled name", Required = true };
        var interpolation = new Option<string>("--interpolation") { Description = "nearest | linear | continuous (default, as nilearn)", DefaultValueFactory = _ => "continuous" };
        var output = new Option<string>("--output", "-o") { Description = "Output image", Required = true };
        var clip = new Option<bool>("--clip") { Description = "Clip to [min(source, 0), max(source, 0)] (resample_img's default; off in resample_to_img)" };
        var fill = new Option<double>("--fill-value") { Description = "Value outside the source's field of view (default 0)" };
        var force = new Option<bool>("--force-resample") { Description = "Interpolate even when the grids differ by a whole-voxel shift (nilearn otherwise copies)" };
        var cmd = new Command("resample", "Put an image on another image's grid (nilearn resample_to_img); nearest keeps the datatype")
        {
            source, target, interpolation, output, clip, fill, force,
        };
        cmd.SetAction(p =>
        {
            var src = BundledData.ResolveImage(p.GetValue(source)!);
            var tgt = BundledData.ResolveImage(p.GetValue(target)!);
            var interp = Interpolations.Parse(p.GetValue(interpolation)!);
            var outPath = p.GetValue(output)!;
            var grid = Grid.Of(tgt);
            using (var f = NiftiFile.Open(src))
            {
                if (interp != Interpolation.Nearest && f.DataType.IsInteger() && !f.Header.HasScaling)
                    p.Err().WriteLine($"nisharp: note: {p.GetValue(source)} holds integers; {interp.Name()} interpolation blends labels (use --interpolation nearest for atlases)");
            }
            Resampling.ResampleFile(src, grid, outPath, interp, p.GetValue(clip), p.GetValue(fill), p.GetValue(force));
            using var o = NiftiFile.Open(outPath);
            p.Out().WriteLine($"{outPath}: {Image.ShapeText(o.Shape)} {o.DataType.NumpyName()} on {grid.Describe()} ({interp.Name()})");
            return 0;
        });
        return cmd;
    }
}
