using System.Text.Json.Nodes;

namespace NiSharp.Cifti;

/// <summary>
/// What <c>nisharp info</c> shows of a CIFTI file, as JSON: the kind and intent, the matrix shape, and each axis —
/// structures with their grayordinate counts (and the volume), parcels with theirs, the series start, step and unit,
/// the scalar maps, the label maps with their label counts.
/// </summary>
public static class CiftiSummary
{
    /// <summary>The summary of <paramref name="file"/>.</summary>
    public static JsonObject Of(CiftiFile file)
    {
        var h = file.Header;
        var axes = new JsonArray();
        for (int d = 0; d < h.Axes.Count; d++) axes.Add((JsonNode)Axis(d, h.Axes[d]));
        return new JsonObject
        {
            ["kind"] = h.Kind.Description,
            ["extension"] = h.Kind.Extension,
            ["intent_code"] = file.NiftiHeader.IntentCode,
            ["intent_name"] = file.NiftiHeader.IntentName,
            ["matrix_shape"] = new JsonArray(file.Shape.Select(n => (JsonNode)n).ToArray()),
            ["axes"] = axes,
            ["metadata"] = new JsonObject(h.Metadata.DistinctBy(m => m.Key).Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))),
        };
    }

    private static JsonObject Axis(int dimension, CiftiAxis axis)
    {
        var o = new JsonObject { ["dimension"] = dimension, ["type"] = CiftiAxis.DisplayName(axis.Kind), ["length"] = axis.Length };
        switch (axis)
        {
            case BrainModelAxis b:
                o["structures"] = new JsonArray(b.Models.Select(m => (JsonNode)new JsonObject
                {
                    ["structure"] = CiftiStructures.ShortName(m.Structure),
                    ["model_type"] = m.ModelType == BrainModelType.Surface ? "surface" : "voxels",
                    ["count"] = m.Count,
                    ["surface_vertices"] = m.ModelType == BrainModelType.Surface ? m.SurfaceVertexCount : null,
                }).ToArray());
                if (b.Volume is { } v) o["volume"] = Volume(v);
                break;
            case ParcelsAxis p:
                o["parcels"] = new JsonArray(p.Parcels.Select(x => (JsonNode)new JsonObject
                {
                    ["name"] = x.Name,
                    ["vertices"] = x.Vertices.Sum(s => s.Value.Length),
                    ["voxels"] = x.Voxels.Length / 3,
                }).ToArray());
                o["surfaces"] = new JsonArray(p.Surfaces.Select(s => (JsonNode)new JsonObject
                {
                    ["structure"] = CiftiStructures.ShortName(s.Structure), ["surface_vertices"] = s.VertexCount,
                }).ToArray());
                if (p.Volume is { } pv) o["volume"] = Volume(pv);
                break;
            case SeriesAxis s:
                o["start"] = s.StartValue;
                o["step"] = s.StepValue;
                o["unit"] = s.Unit;
                break;
            case ScalarAxis c:
                o["maps"] = new JsonArray(c.Maps.Select(m => (JsonNode)new JsonObject { ["name"] = m.Name }).ToArray());
                break;
            case LabelAxis l:
                o["maps"] = new JsonArray(l.Maps.Select(m => (JsonNode)new JsonObject
                {
                    ["name"] = m.Name,
                    ["labels"] = m.LabelTable!.Count(x => x.Key != 0),
                }).ToArray());
                break;
        }
        return o;
    }

    private static JsonObject Volume(CiftiVolume v) => new()
    {
        ["dimensions"] = new JsonArray(v.Dimensions.Select(d => (JsonNode)d).ToArray()),
        ["affine"] = new JsonArray(v.Affine.ToRows().Select(r => (JsonNode)new JsonArray(r.Select(x => (JsonNode)x).ToArray())).ToArray()),
        ["description"] = v.Describe(),
    };
}
