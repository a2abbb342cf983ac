using System.Text.Json.Nodes;
using NiSharp.Cifti;
using NiSharp.Nifti;

namespace NiSharp.Tests.Cifti;

/// <summary>
/// A CIFTI file described the way <c>tests/fixtures/cifti/make_nibabel_fixtures.py</c> records what nibabel reads
/// (<c>nibabel_read.json</c>): shape, intent, dtype, each axis, the data (whole when small, else size, sum and first
/// values). Comparing the two descriptions compares NiSharp's reading with nibabel's, field by field.
/// </summary>
public static class CiftiDescription
{
    private const int Full = 2000, Indices = 60;

    /// <summary>The description of a header and its matrix (row after row).</summary>
    public static JsonObject Of(CiftiHeader header, double[] rowMajor, int intentCode, NiftiDataType dataType)
    {
        var shape = header.Shape;
        var data = new JsonArray();
        return new JsonObject
        {
            ["shape"] = Ints(shape),
            // nibabel names the intent from its code
            ["intent"] = intentCode == 3000 ? "ConnUnknown" : CiftiKind.All.Single(k => k.IntentCode == intentCode).IntentName,
            ["dtype"] = dataType.NumpyName(),
            ["axes"] = new JsonArray(header.Axes.Select(Axis).ToArray()),
            ["data"] = rowMajor.Length <= Full
                ? new JsonArray(Enumerable.Range(0, shape[0]).Select(r => (JsonNode)Numbers(rowMajor.AsSpan(r * shape[1], shape[1]).ToArray())).ToArray())
                : Summary(rowMajor),
            ["row0_first"] = Numbers(rowMajor.Take(Math.Min(5, shape[1])).ToArray()),
        };
    }

    /// <summary>The description of an opened file.</summary>
    public static JsonObject Of(CiftiFile f) => Of(f.Header, f.ReadMatrix<double>(), f.NiftiHeader.IntentCode, f.DataType);

    private static JsonNode Axis(CiftiAxis axis) => axis switch
    {
        SeriesAxis s => new JsonObject { ["type"] = "series", ["size"] = s.Count, ["start"] = s.StartValue, ["step"] = s.StepValue, ["unit"] = s.Unit },
        BrainModelAxis b => new JsonObject
        {
            ["type"] = "brain_models",
            ["size"] = b.Length,
            ["structures"] = new JsonArray(b.Models.Select(m => (JsonNode)new JsonObject
            {
                ["structure"] = m.Structure,
                ["model"] = m.ModelType == BrainModelType.Surface ? "surface" : "voxels",
                ["count"] = m.Count,
                ["nvertices"] = m.ModelType == BrainModelType.Surface ? m.SurfaceVertexCount : null,
                ["indices"] = m.ModelType == BrainModelType.Surface ? Listed(m.Vertices) : Triples(m.Voxels),
            }).ToArray()),
            ["volume_shape"] = b.Volume is null ? null : Ints(b.Volume.Dimensions),
            ["affine"] = b.Volume is null ? null : Affine(b.Volume.Affine),
        },
        ParcelsAxis p => new JsonObject
        {
            ["type"] = "parcels",
            ["size"] = p.Length,
            ["parcels"] = new JsonArray(p.Parcels.Select(x => (JsonNode)new JsonObject
            {
                ["name"] = x.Name,
                ["voxels"] = Triples(x.Voxels),
                ["vertices"] = new JsonArray(x.Vertices.Select(v => (JsonNode)new JsonArray(v.Key, Listed(v.Value))).ToArray()),
            }).ToArray()),
            ["surfaces"] = new JsonArray(p.Surfaces.Select(s => (JsonNode)new JsonArray(s.Structure, s.VertexCount)).ToArray()),
            ["volume_shape"] = p.Volume is null ? null : Ints(p.Volume.Dimensions),
            ["affine"] = p.Volume is null ? null : Affine(p.Volume.Affine),
        },
        LabelAxis l => new JsonObject
        {
            ["type"] = "labels",
            ["size"] = l.Length,
            ["names"] = new JsonArray(l.Maps.Select(m => (JsonNode)m.Name).ToArray()),
            ["meta"] = new JsonArray(l.Maps.Select(m => (JsonNode)Meta(m)).ToArray()),
            ["tables"] = new JsonArray(l.Maps.Select(m => (JsonNode)new JsonArray(m.LabelTable!.OrderBy(x => x.Key).Select(x => (JsonNode)new JsonArray(
                x.Key, x.Name, Numbers([x.Red, x.Green, x.Blue, x.Alpha]))).ToArray())).ToArray()),
        },
        ScalarAxis c => new JsonObject
        {
            ["type"] = "scalars",
            ["size"] = c.Length,
            ["names"] = new JsonArray(c.Maps.Select(m => (JsonNode)m.Name).ToArray()),
            ["meta"] = new JsonArray(c.Maps.Select(m => (JsonNode)Meta(m)).ToArray()),
        },
        _ => throw new ArgumentException("unknown axis"),
    };

    private static JsonObject Meta(CiftiNamedMap m) => new(m.Metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));

    private static JsonNode Listed(int[] values) => values.Length <= Indices ? Ints(values) : Summary(values.Select(v => (double)v).ToArray());

    private static JsonNode Triples(int[] ijk) => ijk.Length <= Indices
        ? new JsonArray(Enumerable.Range(0, ijk.Length / 3).Select(v => (JsonNode)Ints(ijk.AsSpan(3 * v, 3).ToArray())).ToArray())
        : Summary(ijk.Select(v => (double)v).ToArray());

    private static JsonObject Summary(double[] values) => new()
    {
        ["size"] = values.Length,
        ["sum"] = values.Sum(),
        ["first"] = Numbers(values.Take(6).ToArray()),
    };

    private static JsonArray Affine(Affine a) => new(a.ToRows().Select(r => (JsonNode)Numbers(r)).ToArray());

    private static JsonArray Ints(int[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    private static JsonArray Numbers(double[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    /// <summary>Asserts that two descriptions agree: strings, structure and integers exactly, numbers to a relative
    /// 1e-9 (sums of float32 data to 1e-7: summation order differs), reporting the first difference by its path.</summary>
    public static void AssertSame(JsonNode expected, JsonNode actual) =>
        Compare(JsonNode.Parse(expected.ToJsonString()), JsonNode.Parse(actual.ToJsonString()), "$"); // both as parsed text: numbers compare alike

    private static void Compare(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
                break;
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual);
                Assert.True(eo.Select(kv => kv.Key).Order().SequenceEqual(ao.Select(kv => kv.Key).Order()),
                    $"{path}: keys {string.Join(",", eo.Select(kv => kv.Key))} vs {string.Join(",", ao.Select(kv => kv.Key))}");
                foreach (var (k, v) in eo) Compare(v, ao[k], $"{path}.{k}");
                break;
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual);
                Assert.True(ea.Count == aa.Count, $"{path}: {ea.Count} elements vs {aa.Count}");
                for (int i = 0; i < ea.Count; i++) Compare(ea[i], aa[i], $"{path}[{i}]");
                break;
            default:
                var ev = expected.AsValue();
                if (ev.TryGetValue(out string? es))
                {
                    Assert.True(actual is JsonValue av && av.TryGetValue(out string? s) && s == es, $"{path}: expected '{es}', got {actual?.ToJsonString()}");
                    break;
                }
                Assert.NotNull(actual);
                double e = ev.GetValue<double>(), a = actual!.GetValue<double>();
                double tol = (path.EndsWith(".sum") ? 1e-7 : 1e-9) * Math.Max(1, Math.Abs(e));
                Assert.True(Math.Abs(a - e) <= tol, $"{path}: expected {e:R}, got {a:R}");
                break;
        }
    }
}
