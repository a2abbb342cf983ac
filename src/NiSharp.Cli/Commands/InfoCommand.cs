using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp info FILE... [--json]</c>: what nibabel's header tells about an image.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "NIfTI files (.nii, .nii.gz, .hdr)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file (an array when several files)" };
        var cmd = new Command("info", "Show shape, voxel sizes, datatype, affine, orientation, TR and scaling of NIfTI images") { files, json };
        cmd.SetAction(p =>
        {
            var paths = p.GetValue(files)!;
            var summaries = paths.Select(Summarize).ToList();
            var o = p.Out();
            if (p.GetValue(json))
            {
                JsonNode node = summaries.Count == 1 ? summaries[0] : new JsonArray(summaries.Select(s => (JsonNode)s).ToArray());
                o.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                foreach (var (s, path) in summaries.Zip(paths)) WriteText(o, path, s);
            }
            return 0;
        });
        return cmd;
    }

    /// <summary>The keys promised by the issue: shape, zooms, datatype, affine, orientation, repetition_time, scl_slope, scl_inter.</summary>
    internal static JsonObject Summarize(string path)
    {
        using var f = NiftiFile.Open(path);
        var h = f.Header;
        var (slope, inter) = (h.SclSlope, h.SclInter);
        return new JsonObject
        {
            ["file"] = path,
            ["nifti_version"] = h.Version,
            ["byte_order"] = h.IsBigEndian ? "big" : "little",
            ["compressed"] = f.IsCompressed,
            ["shape"] = new JsonArray(f.Shape.Select(d => (JsonNode)d).ToArray()),
            ["zooms"] = new JsonArray(h.Zooms.Select(z => (JsonNode)z).ToArray()),
            ["datatype"] = f.DataType.NumpyName(),
            ["affine"] = new JsonArray(f.Affine.ToRows().Select(r => (JsonNode)new JsonArray(r.Select(v => (JsonNode)v).ToArray())).ToArray()),
            ["orientation"] = f.Affine.AxisCodes,
            ["repetition_time"] = f.RepetitionTime is double tr ? tr : null,
            ["volumes"] = f.VolumeCount,
            ["scl_slope"] = double.IsFinite(slope) ? slope : null,
            ["scl_inter"] = double.IsFinite(inter) ? inter : null,
            ["qform_code"] = h.QformCode,
            ["sform_code"] = h.SformCode,
            ["descrip"] = h.Descrip,
        };
    }

    private static void WriteText(TextWriter o, string path, JsonObject s)
    {
        string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        o.WriteLine(path);
        o.WriteLine($"  shape        ({string.Join(", ", s["shape"]!.AsArray().Select(n => n!.ToString()))})");
        o.WriteLine($"  zooms        ({string.Join(", ", s["zooms"]!.AsArray().Select(n => F(n!.GetValue<double>())))})");
        o.WriteLine($"  datatype     {s["datatype"]}  (NIfTI-{s["nifti_version"]}, {s["byte_order"]}-endian{((bool)s["compressed"]! ? ", gzip" : "")})");
        o.WriteLine($"  orientation  {s["orientation"]}");
        o.WriteLine($"  TR           {(s["repetition_time"] is null ? "-" : F(s["repetition_time"]!.GetValue<double>()) + " s")}   volumes {s["volumes"]}");
        // The stored fields, as nibabel's header shows them; a slope of 0 or NaN means no scaling is applied (as in nibabel).
        var slope = s["scl_slope"]?.GetValue<double>();
        var unscaled = slope is null or 0 ? "  (not applied: values read as stored)" : "";
        o.WriteLine($"  scaling      slope {s["scl_slope"]?.ToString() ?? "nan"}, inter {s["scl_inter"]?.ToString() ?? "nan"}{unscaled}");
        o.WriteLine($"  codes        qform {s["qform_code"]}, sform {s["sform_code"]}");
        var rows = s["affine"]!.AsArray();
        for (int r = 0; r < 4; r++)
            o.WriteLine((r == 0 ? "  affine       " : "               ") + string.Join("  ", rows[r]!.AsArray().Select(v => F(v!.GetValue<double>()).PadLeft(10))));
    }
}
