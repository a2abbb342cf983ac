using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.IO;
using NiSharp.Nifti;

namespace NiSharp.Plotting;

/// <summary>How a volume is embedded in the viewer's page.</summary>
public enum ViewerEncoding
{
    /// <summary>Its values as they are (labels in the smallest integer type that holds them, other values as float32):
    /// overlays, whose labels and thresholds must be exact.</summary>
    Exact,

    /// <summary>256 grey levels between its minimum and maximum (uint8 with <c>scl_slope</c>/<c>scl_inter</c>, so the page
    /// shows values to within half a level), as nilearn's <c>view_img</c> turns its background into 8-bit sprites: a
    /// noisy 1 mm T1w of 13 MB takes about 4 MB.</summary>
    Display,
}

/// <summary>An image for the interactive viewer: its NIfTI bytes, always gzip-compressed (niivue reads <c>.nii.gz</c>),
/// how to name it, and the step between the values it can show (0 when exact).</summary>
public sealed record ViewerImage(string Name, byte[] NiftiBytes, bool Compressed)
{
    /// <summary>The value of one grey level of a <see cref="ViewerEncoding.Display"/> image; 0 when the values are exact.</summary>
    public double Step { get; init; }

    /// <summary>
    /// Volume <paramref name="volume"/> of a NIfTI file (streamed: one volume is read), as a 3D <c>.nii.gz</c> in memory,
    /// encoded as <paramref name="encoding"/> says. A 4D file of one volume (the Yeo 2011 atlases are 256³×1) becomes 3D:
    /// niivue does not draw it as an overlay.
    /// </summary>
    public static ViewerImage FromFile(string path, int volume = 0, ViewerEncoding encoding = ViewerEncoding.Exact)
    {
        using var f = NiftiFile.Open(path);
        if (volume < 0 || volume >= f.VolumeCount)
            throw new NiSharpException(path, $"volume {volume} is out of range: the image has {f.VolumeCount} volumes");
        return FromImage(Path.GetFileName(path), f.LoadVolume<float>(volume), encoding);
    }

    /// <summary>An in-memory image (its first volume), as a 3D <c>.nii.gz</c> encoded as <paramref name="encoding"/> says.</summary>
    public static ViewerImage FromImage(string name, Image<float> image, ViewerEncoding encoding = ViewerEncoding.Exact)
    {
        var data = image.VolumeCount == 1 ? image.Data : image.Volume(0).ToArray();
        var header = image.Header;
        var shape = image.SpatialShape;
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        bool integers = true;
        foreach (var v in data)
        {
            if (!float.IsFinite(v)) { integers = false; continue; }
            if (v < min) min = v;
            if (v > max) max = v;
            if (integers && v != MathF.Round(v)) integers = false;
        }
        if (min > max) min = max = 0;
        var tmp = Path.Combine(Path.GetTempPath(), $"nisharp-view-{Guid.NewGuid():N}.nii.gz");
        try
        {
            double step = 0;
            NiftiDataType type;
            var template = header;
            float[] values = data;
            if (integers && min >= 0 && max <= byte.MaxValue) type = NiftiDataType.UInt8;
            else if (integers && min >= short.MinValue && max <= short.MaxValue && encoding == ViewerEncoding.Exact) type = NiftiDataType.Int16;
            else if (integers && min >= int.MinValue && max <= int.MaxValue && encoding == ViewerEncoding.Exact) type = NiftiDataType.Int32;
            else if (encoding == ViewerEncoding.Exact) type = NiftiDataType.Float32;
            else
            {
                // 256 levels over [min, max]: value = level * step + min (NaN and infinities at the minimum).
                type = NiftiDataType.UInt8;
                step = (max - min) / 255.0;
                values = new float[data.Length];
                for (int i = 0; i < data.Length; i++)
                    values[i] = float.IsFinite(data[i]) ? MathF.Round((float)((data[i] - min) / step)) : 0;
            }
            var h = NiftiWriter.BuildHeader(shape, image.Affine, type, template) with { SclSlope = step > 0 ? step : 1, SclInter = step > 0 ? min : 0 };
            using (var w = NiftiWriter.Create(tmp, h, [], new NiftiWriteOptions { Compression = System.IO.Compression.CompressionLevel.SmallestSize }))
            {
                w.WriteVolumes<float>(values);
                w.Commit();
            }
            return new ViewerImage(name, File.ReadAllBytes(tmp), true) { Step = step };
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}

/// <summary>Options of <see cref="VolumeViewer"/>.</summary>
public sealed record ViewerOptions
{
    /// <summary>Page title.</summary>
    public string? Title { get; init; }

    /// <summary>Stat overlay: values with |v| below this are hidden at first (a control on the page changes it).</summary>
    public double Threshold { get; init; }

    /// <summary>Initial overlay opacity (0–1).</summary>
    public double OverlayOpacity { get; init; } = 0.7;

    /// <summary>Treat the overlay as labels (atlas) rather than a stat map; null: decide from its values
    /// (integer values with at most 10 000 distinct labels).</summary>
    public bool? OverlayIsLabels { get; init; }

    /// <summary>Names and colours of the overlay's labels (e.g. the Yeo LUT); missing labels get defaults.</summary>
    public IReadOnlyList<LabelColor>? Labels { get; init; }

    /// <summary>Initial crosshair position (mm); null: the viewer's default (the centre of the volume).</summary>
    public (double X, double Y, double Z)? CrosshairMm { get; init; }
}

/// <summary>
/// The interactive viewer (nilearn <c>view_img</c>): one self-contained HTML page with the images
/// base64-embedded and niivue's browser build inlined, so it opens offline with nothing to fetch. Multiplanar
/// view in the neurological convention; clicking moves the crosshair and shows the mm coordinates, the
/// background value and the overlay value or label name; the overlay has opacity and (stat maps) threshold controls.
/// </summary>
public static class VolumeViewer
{
    /// <summary>The manifest name under which the build embeds niivue's browser bundle.</summary>
    public const string BundleResource = "NiSharp.Viewer.niivue.umd.js";

    private const string TemplateResource = "NiSharp.Viewer.template.html";

    /// <summary>Whether this build of NiSharp carries the viewer's JavaScript (npm was available at build time).</summary>
    public static bool IsAvailable => typeof(VolumeViewer).Assembly.GetManifestResourceInfo(BundleResource) is not null;

    /// <summary>Builds the page for <paramref name="background"/> and an optional <paramref name="overlay"/>.</summary>
    public static string BuildHtml(ViewerImage background, ViewerImage? overlay = null, ViewerOptions? options = null)
    {
        var o = options ?? new ViewerOptions();
        string bundle = ReadResource(BundleResource)
            ?? throw new NiSharpException("the interactive viewer is not available in this build: npm was missing when NiSharp was built, so niivue could not be bundled; install Node.js and npm and rebuild");
        string template = ReadResource(TemplateResource) ?? throw new InvalidOperationException("the viewer template is missing from the assembly");

        var cfg = new JsonObject
        {
            ["title"] = o.Title ?? background.Name + (overlay is null ? "" : " + " + overlay.Name),
            ["background"] = ImageNode(background),
        };
        if (o.CrosshairMm is { } c) cfg["crosshairMm"] = new JsonArray(c.X, c.Y, c.Z);
        if (overlay is not null)
        {
            var node = ImageNode(overlay);
            var stats = OverlayStats(overlay);
            bool isLabels = o.OverlayIsLabels ?? stats.AllIntegers;
            node["isLabels"] = isLabels;
            node["opacity"] = Math.Clamp(o.OverlayOpacity, 0, 1);
            node["threshold"] = Math.Abs(o.Threshold);
            node["max"] = stats.MaxAbs > 0 ? stats.MaxAbs : 1;
            node["hasNegative"] = stats.HasNegative;
            if (isLabels)
            {
                var table = new Dictionary<int, LabelColor>();
                foreach (var l in o.Labels ?? []) table.TryAdd(l.Id, l);
                foreach (var id in stats.Labels)
                    if (!table.ContainsKey(id))
                    {
                        var col = LabelColors.DefaultColor(id);
                        table[id] = new LabelColor(id, $"label_{id}", col.Red, col.Green, col.Blue);
                    }
                node["labels"] = new JsonArray(table.Values.Where(l => l.Id > 0).OrderBy(l => l.Id).Select(l => (JsonNode)new JsonObject
                {
                    ["id"] = l.Id, ["name"] = l.Name, ["r"] = l.R, ["g"] = l.G, ["b"] = l.B,
                }).ToArray());
            }
            cfg["overlay"] = node;
        }
        // The default encoder escapes <, > and & as \u003C…, so no input can close the <script> element.
        // (Non-finite numbers cannot be JSON; the steps and maxima above are finite by construction.)
        string json = cfg.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
        return Fill(template, new Dictionary<string, string>
        {
            ["/*NISHARP_TITLE*/"] = System.Net.WebUtility.HtmlEncode(cfg["title"]!.GetValue<string>()),
            ["/*NISHARP_CONFIG*/"] = json,
            ["/*NIIVUE_BUNDLE*/"] = bundle.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase),
        });
    }

    /// <summary>
    /// The template with each placeholder replaced by its value, in one pass over the template: a value is never
    /// searched again, so no input text (a label or title reading <c>/*NIIVUE_BUNDLE*/</c>) can be taken for a
    /// placeholder. Chained <see cref="string.Replace(string, string)"/> calls would paste the viewer's code into a label.
    /// </summary>
    internal static string Fill(string template, IReadOnlyDictionary<string, string> values)
    {
        var sb = new StringBuilder(template.Length + values.Values.Sum(v => v.Length));
        int at = 0;
        while (true)
        {
            int next = -1;
            string? key = null;
            foreach (var k in values.Keys)
            {
                int i = template.IndexOf(k, at, StringComparison.Ordinal);
                if (i >= 0 && (next < 0 || i < next)) { next = i; key = k; }
            }
            if (key is null) break;
            sb.Append(template, at, next - at).Append(values[key]);
            at = next + key.Length;
        }
        return sb.Append(template, at, template.Length - at).ToString();
    }

    /// <summary>Writes the page atomically to <paramref name="path"/>.</summary>
    public static void Save(string path, ViewerImage background, ViewerImage? overlay = null, ViewerOptions? options = null) =>
        AtomicFile.WriteAllText(path, BuildHtml(background, overlay, options));

    /// <summary>nilearn's <c>view_img(img)</c>: one image (a 3D volume, or the first volume of a 4D one) in an
    /// interactive page at <paramref name="path"/>.</summary>
    public static void Save(string path, Image<float> image, string? title = null) =>
        Save(path, ViewerImage.FromImage(title ?? Path.GetFileNameWithoutExtension(path), image, ViewerEncoding.Display), null, new ViewerOptions { Title = title });

    private static JsonObject ImageNode(ViewerImage img) => new()
    {
        ["name"] = img.Name,
        ["step"] = img.Step,
        // niivue picks the reader from the extension.
        ["fileName"] = "image" + (img.Compressed ? ".nii.gz" : ".nii"),
        ["data"] = Convert.ToBase64String(img.NiftiBytes),
    };

    private sealed record Stats(bool AllIntegers, double MaxAbs, bool HasNegative, IReadOnlyList<int> Labels);

    private static Stats OverlayStats(ViewerImage overlay)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"nisharp-view-{Guid.NewGuid():N}" + (overlay.Compressed ? ".nii.gz" : ".nii"));
        try
        {
            File.WriteAllBytes(tmp, overlay.NiftiBytes);
            using var f = NiftiFile.Open(tmp);
            var vol = new float[f.VoxelsPerVolume];
            f.ReadVolume(0, vol.AsSpan());
            bool ints = true, neg = false;
            double maxAbs = 0;
            var labels = new HashSet<int>();
            foreach (var v in vol)
            {
                if (!float.IsFinite(v)) continue;
                maxAbs = Math.Max(maxAbs, Math.Abs(v));
                if (v < 0) neg = true;
                if (ints && v != MathF.Round(v)) ints = false;
                if (ints && v != 0 && labels.Count <= 10_000) labels.Add((int)v);
            }
            if (labels.Count > 10_000) ints = false;
            return new Stats(ints && labels.Count > 0, maxAbs, neg, labels.Order().ToList());
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    private static string? ReadResource(string name)
    {
        using var s = typeof(VolumeViewer).Assembly.GetManifestResourceStream(name);
        if (s is null) return null;
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }
}
