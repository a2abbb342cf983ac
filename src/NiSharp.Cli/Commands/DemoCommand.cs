using System.CommandLine;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary>
/// <c>nisharp demo</c>: until the pipeline lands, reads the bundled sample images and prints their summaries.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output") { Description = "Folder for the demo's data and results" };
        var cmd = new Command("demo", "Run NiSharp on bundled sample data") { output };
        cmd.SetAction(p =>
        {
            var o = p.Out();
            var dir = SampleData.Folder();
            var files = Directory.GetFiles(dir, "*.nii*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
            o.WriteLine($"NiSharp demo: reading {files.Count} bundled images from {dir}");
            foreach (var f in files)
            {
                using var img = NiftiFile.Open(f);
                o.WriteLine($"  {Path.GetFileName(f),-60} {Image.ShapeText(img.Shape),-22} {img.DataType.NumpyName(),-8} {img.Affine.AxisCodes}  TR {(img.RepetitionTime is double tr ? $"{tr:0.###} s" : "-")}");
            }
            return 0;
        });
        return cmd;
    }
}

/// <summary>Finds the bundled <c>data/</c> folder (copied beside the executable at build time).</summary>
internal static class SampleData
{
    public static string Folder()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "data");
        if (Directory.Exists(beside)) return beside;
        throw new NiSharpException("the bundled data folder is missing beside the nisharp executable; rebuild the project");
    }
}
