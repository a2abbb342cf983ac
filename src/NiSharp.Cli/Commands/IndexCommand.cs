using System.CommandLine;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp index IMG [--volumes 4:] [--x 10:20] [--y …] [--z …] -o OUT</c>: nibabel's slicer, streamed.</summary>
internal static class IndexCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IMG") { Description = "A 3D or 4D NIfTI image" };
        var volumes = new Option<string?>("--volumes", "-t") { Description = "Python-style volume index or slice: 4, 4:, :-1, 10:20:2 (write --volumes=-1 for negative values)" };
        var x = new Option<string?>("--x") { Description = "Slice along x (i), e.g. 10:11" };
        var y = new Option<string?>("--y") { Description = "Slice along y (j)" };
        var z = new Option<string?>("--z") { Description = "Slice along z (k)" };
        var output = new Option<string>("--output", "-o") { Description = "Output image", Required = true };
        var cmd = new Command("index", "Select volumes and/or a block of voxels (img.slicer[x, y, z, t]); the datatype is kept and the affine follows the block")
        {
            input, volumes, x, y, z, output,
        };
        cmd.SetAction(p =>
        {
            var src = p.GetValue(input)!;
            var outPath = p.GetValue(output)!;
            Volumes.IndexFile(src, outPath, p.GetValue(volumes), p.GetValue(x), p.GetValue(y), p.GetValue(z));
            using var f = NiftiFile.Open(outPath);
            p.Out().WriteLine($"{outPath}: {Image.ShapeText(f.Shape)} {f.DataType.NumpyName()}");
            return 0;
        });
        return cmd;
    }
}
