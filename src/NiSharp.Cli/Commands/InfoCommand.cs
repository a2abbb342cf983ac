using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Cifti;
using NiSharp.Nifti;

namespace NiSharp.Cli.Commands;

/// <summary><c>nisharp info FILE... [--json]</c>: what nibabel's header tells about an image.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "NIfTI files (.nii, .nii.gz, .hdr) or CIFTI-2 files (.dtseries.nii, .dlabel.nii, .ptseries.nii, …)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per file (an array when several files)" };
        var cmd = new Command("info", "Show shape, voxel sizes, datatype, affine, orientation, TR and scaling of NIfTI images; the axes of CIFTI files") { files, json };
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
        JsonObject? cifti = null;
        SeriesAxis? series = null;
        if (h.IsCifti)
        {
            using var c = CiftiFile.Open(path);
            cifti = CiftiSummary.Of(c);
            series = c.Axes[0] as SeriesAxis;
        }
        var summary = new JsonObject
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
            ["repetition_time"] = f.RepetitionTime is double tr ? tr : series is { Unit: "SECOND" } ? series.StepValue : null,
            ["volumes"] = cifti is null ? f.VolumeCount : series?.Count,
            ["scl_slope"] = double.IsFinite(slope) ? slope : null,
            ["scl_inter"] = double.IsFinite(inter) ? inter : null,
            ["qform_code"] = h.QformCode,
            ["sform_code"] = h.SformCode,
            ["descrip"] = h.Descrip,
        };
        if (cifti is not null) summary["cifti"] = cifti;
        return summary;
    }

    private static void WriteText(TextWriter o, string path, JsonObject s)
    {
        string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        o.WriteLine(path);
        o.WriteLine($"  shape        ({string.Join(", ", s["shape"]!.AsArray().Select(n => n!.ToString()))})");
        o.WriteLine($"  zooms        ({string.Join(", ", s["zooms"]!.AsArray().Select(n => F(n!.GetValue<double>())))})");
        o.WriteLine($"  datatype     {s["datatype"]}  (NIfTI-{s["nifti_version"]}, {s["byte_order"]}-endian{((bool)s["compressed"]! ? ", gzip" : "")})");
        if (s["cifti"] is JsonObject cifti)
        {
            WriteCifti(o, s, cifti);
            return;
        }
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

    private static void WriteCifti(TextWriter o, JsonObject s, JsonObject c)
    {
        string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
        var shape = c["matrix_shape"]!.AsArray().Select(n => n!.ToString());
        o.WriteLine($"  CIFTI-2      {c["kind"]} ({c["extension"]}, intent {c["intent_code"]} {c["intent_name"]}), matrix {string.Join(" × ", shape)}");
        foreach (var a in c["axes"]!.AsArray().Select(n => n!.AsObject()))
        {
            string head = $"  dim {a["dimension"]}        {a["type"]}: ";
            string pad = new(' ', 15);
            switch (a["type"]!.GetValue<string>())
            {
                case "brain models":
                    var structures = a["structures"]!.AsArray().Select(n => n!.AsObject()).ToList();
                    o.WriteLine(head + $"{a["length"]} grayordinates in {structures.Count} structures");
                    foreach (var m in structures)
                        o.WriteLine(pad + $"{m["structure"],-34} {m["count"],6} " + (m["surface_vertices"] is null ? "voxels" : $"of {m["surface_vertices"]} vertices"));
                    if (a["volume"] is JsonObject v) o.WriteLine(pad + $"volume {v["description"]}");
                    break;
                case "parcels":
                    var parcels = a["parcels"]!.AsArray().Select(n => n!.AsObject()).ToList();
                    o.WriteLine(head + $"{parcels.Count} parcels");
                    foreach (var p in parcels.Take(12))
                        o.WriteLine(pad + $"{p["name"],-34} {p["vertices"],6} vertices {p["voxels"],6} voxels");
                    if (parcels.Count > 12) o.WriteLine(pad + $"… {parcels.Count - 12} more (--json lists them all)");
                    break;
                case "series":
                    o.WriteLine(head + $"{a["length"]} points, start {F(a["start"]!.GetValue<double>())}, step {F(a["step"]!.GetValue<double>())} ({a["unit"]})");
                    break;
                default: // scalars, labels
                    var maps = a["maps"]!.AsArray().Select(n => n!.AsObject()).ToList();
                    o.WriteLine(head + $"{maps.Count} map{(maps.Count == 1 ? "" : "s")}");
                    for (int i = 0; i < maps.Count; i++)
                        o.WriteLine(pad + $"{i + 1}. {maps[i]["name"]}" + (maps[i]["labels"] is { } n ? $" ({n} labels)" : ""));
                    break;
            }
        }
        o.WriteLine($"  TR           {(s["repetition_time"] is null ? "-" : F(s["repetition_time"]!.GetValue<double>()) + " s")}");
    }
}
