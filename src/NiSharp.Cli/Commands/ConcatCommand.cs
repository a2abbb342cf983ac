using System.CommandLine;
using NiSharp.Imaging;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp concat IMG... -o OUT</c>: nilearn's concat_imgs, streamed volume by volume.</summary>
internal static class ConcatCommand
{
    public static Command Create()
    {
        var inputs = new Argument<string[]>("IMG") { Description = "3D or 4D NIfTI images on the same grid, in order", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Output 4D image (float32, .nii or .nii.gz)", Required = true };
        var cmd = new Command("concat", "Stack 3D images, or append 4D ones, along time (nilearn concat_imgs), one volume in memory at a time") { inputs, output };
        cmd.SetAction(p =>
        {
            var outPath = p.GetValue(output)!;
            int volumes = Volumes.ConcatFiles(p.GetValue(inputs)!, outPath);
            p.Out().WriteLine($"{outPath}: {volumes} volume(s), float32");
            return 0;
        });
        return cmd;
    }
}
