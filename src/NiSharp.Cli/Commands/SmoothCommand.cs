using System.CommandLine;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp smooth IMG --fwhm 6 [--fwhm 6 6 8 | --fwhm fast] -o OUT</c>: nilearn's smooth_img, streamed volume by volume.</summary>
internal static class SmoothCommand
{
    /// <summary>A <c>--fwhm</c>-style option taking one value, three values (x y z, mm) or <c>fast</c>.</summary>
    internal static Option<string[]> FwhmOption(string name, string description, bool required) => new(name)
    {
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = true,
        Required = required,
        Description = description,
    };

    public static Command Create()
    {
        var input = new Argument<string>("IMG") { Description = "A 3D or 4D NIfTI image" };
        var fwhm = FwhmOption("--fwhm", "Full width at half maximum in mm: one value, three (x y z voxel axes), or 'fast' (nilearn's neighbour kernel); 0 only zeroes NaN/inf", required: true);
        var output = new Option<string>("--output", "-o") { Description = "Output image (float32; float64 for float64 input)", Required = true };
        var cmd = new Command("smooth", "Gaussian smoothing (nilearn smooth_img), read and written one volume at a time") { input, fwhm, output };
        cmd.SetAction(p =>
        {
            var f = Fwhm.Parse(p.GetValue(fwhm)!);
            var inPath = p.GetValue(input)!;
            var outPath = p.GetValue(output)!;
            Smoothing.SmoothFile(inPath, outPath, f);
            using var written = NiftiFile.Open(outPath);
            p.Out().WriteLine($"{outPath}: {Image.ShapeText(written.Shape)} {written.DataType.NumpyName()}, fwhm {f}{(f.IsFast ? "" : " mm")}");
            return 0;
        });
        return cmd;
    }
}
