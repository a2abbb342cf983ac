using System.CommandLine;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp math FORMULA -i a=A.nii.gz [-i b=B.nii.gz …] -o OUT [--dtype float32]</c>: nilearn's math_img.</summary>
internal static class MathCommand
{
    public static Command Create()
    {
        var formula = new Argument<string>("FORMULA") { Description = "e.g. 'a*b', '1-x', 'a == 44', 'where(m > 0, mean(img) / std(img), 0)'" };
        var inputs = new Option<string[]>("--input", "-i")
        {
            Description = "NAME=FILE (a NIfTI file or a bundled atlas/template name); repeat for each image",
            Arity = ArgumentArity.OneOrMore,
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Output image (.nii or .nii.gz)", Required = true };
        var dtype = new Option<string?>("--dtype") { Description = "Output datatype (default float32; uint8 when the formula is a comparison or and/or/not)" };
        var cmd = new Command("math", "Voxel-wise formula over images (nilearn math_img): + - * / **, comparisons, and/or/not, abs sqrt exp log, min max, where, mean/std/min/max over time")
        {
            formula, inputs, output, dtype,
        };
        cmd.SetAction(p =>
        {
            var f = Formula.Parse(p.GetValue(formula)!);
            var named = new List<NamedImage>();
            foreach (var spec in p.GetValue(inputs)!)
            {
                int eq = spec.IndexOf('=');
                if (eq <= 0 || eq == spec.Length - 1)
                    throw new NiSharpException($"--input '{spec}': expected NAME=FILE, e.g. -i a=T1.nii.gz");
                var name = spec[..eq].Trim();
                var path = BundledData.ResolveImage(spec[(eq + 1)..].Trim());
                named.Add(new NamedImage(name, Image.Load(path), path));
            }
            var type = p.GetValue(dtype) is { } d ? NiftiDataTypes.Parse(d) : f.IsBoolean ? NiftiDataType.UInt8 : NiftiDataType.Float32;
            var result = ImageMath.Evaluate(f, named);
            var outPath = p.GetValue(output)!;
            result.Save(outPath, type);
            p.Out().WriteLine($"{outPath}: {result.ShapeText()} {type.NumpyName()} = {f.Text}");
            return 0;
        });
        return cmd;
    }
}
