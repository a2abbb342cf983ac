using System.Text.Json;
using System.Text.Json.Nodes;

namespace NiSharp.Bids;

/// <summary>A pipeline that produced a derivative dataset (<c>GeneratedBy</c> in <c>dataset_description.json</c>).</summary>
/// <param name="Name">Pipeline name, e.g. <c>fMRIPrep</c>.</param>
/// <param name="Version">Version, e.g. <c>20.2.1</c>, when given.</param>
/// <param name="CodeUrl">Where the code is, when given.</param>
public sealed record GeneratedBy(string Name, string? Version, string? CodeUrl);

/// <summary>
/// The dataset's <c>dataset_description.json</c>: name, BIDS version, whether it is raw data or a
/// derivative, and which pipelines generated it.
/// </summary>
public sealed class DatasetDescription
{
    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary><c>Name</c>, when given.</summary>
    public string? Name { get; }

    /// <summary><c>BIDSVersion</c>, when given.</summary>
    public string? BidsVersion { get; }

    /// <summary>
    /// <c>raw</c> or <c>derivative</c>. When the field is missing BIDS says <c>raw</c>, but a file with
    /// <c>GeneratedBy</c> or the older <c>PipelineDescription</c> (fMRIPrep before 1.4) is read as <c>derivative</c>.
    /// </summary>
    public string DatasetType { get; }

    /// <summary>Whether <see cref="DatasetType"/> is <c>derivative</c>.</summary>
    public bool IsDerivative => DatasetType == "derivative";

    /// <summary>The pipelines that generated the dataset (from <c>GeneratedBy</c>, or <c>PipelineDescription</c> in older files).</summary>
    public IReadOnlyList<GeneratedBy> GeneratedBy { get; }

    /// <summary>The whole file as JSON (a copy).</summary>
    public JsonObject Json => (JsonObject)_json.DeepClone();

    private readonly JsonObject _json;

    private DatasetDescription(string path, JsonObject json)
    {
        Path = path;
        _json = json;
        Name = Text(json, "Name");
        BidsVersion = Text(json, "BIDSVersion");
        var generated = new List<GeneratedBy>();
        if (json["GeneratedBy"] is JsonArray arr)
        {
            foreach (var g in arr)
                if (g is JsonObject o && Text(o, "Name") is string n)
                    generated.Add(new GeneratedBy(n, Text(o, "Version"), Text(o, "CodeURL")));
        }
        else if (json["PipelineDescription"] is JsonObject pd && Text(pd, "Name") is string pn)
        {
            generated.Add(new GeneratedBy(pn, Text(pd, "Version"), Text(pd, "CodeURL")));
        }
        GeneratedBy = generated;
        DatasetType = Text(json, "DatasetType") ?? (json.ContainsKey("GeneratedBy") || json.ContainsKey("PipelineDescription") ? "derivative" : "raw");
    }

    /// <summary>Reads <paramref name="path"/>; fails with the file named when it is not a JSON object.
    /// <paramref name="asInput"/> is false when it is an output of the command (one it may replace).</summary>
    public static DatasetDescription Read(string path, bool asInput = true) => new(path, BidsMetadata.ReadSidecar(path, asInput));

    private static string? Text(JsonObject o, string key) =>
        o.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : null;
}
