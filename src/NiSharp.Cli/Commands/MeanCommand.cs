using System.CommandLine;
using NiSharp.Imaging;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp mean IMG -o OUT</c>: nilearn's mean_img, streamed volume by volume.</summary>
internal static class MeanCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("IMG") { Description = "A 4D (or 3D) NIfTI image" };
        var output = new Option<string>("--output", "-o") { Description = "Output 3D image (float32)", Required = true };
        var cmd = new Command("mean", "Mean over volumes (nilearn mean_img), read one volume at a time") { input, output };
        cmd.SetAction(p =>
        {
            var mean = Volumes.Mean(p.GetValue(input)!);
            var outPath = p.GetValue(output)!;
            mean.Save(outPath);
            p.Out().WriteLine($"{outPath}: {mean.ShapeText()} float32");
            return 0;
        });
        return cmd;
    }
}
