using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Bids;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// The top-level <c>dataset_description.json</c> of <c>nisharp run</c>'s output, a BIDS derivative dataset:
/// <c>GeneratedBy</c> (NiSharp and its version), <c>SourceDatasets</c> (the fMRIPrep folder, with what its own
/// description says) and <c>DatasetLinks</c> mapping <c>preprocessed</c> to that folder, so that the
/// <c>bids:preprocessed:…</c> URIs in the sidecars' <c>Sources</c> resolve.
/// </summary>
public static class DerivativesDataset
{
    /// <summary>The <c>DatasetLinks</c> name of the input folder.</summary>
    public const string InputLinkName = "preprocessed";

    /// <summary>Writes (or rewrites) the description of <paramref name="outputDir"/>.</summary>
    public static void Write(string outputDir, string inputDir, DatasetDescription? input)
    {
        var uri = new Uri(Path.GetFullPath(inputDir) + "/").AbsoluteUri;
        var source = new JsonObject { ["URL"] = uri };
        if (input?.Name is string n) source["Name"] = n;
        if (input?.GeneratedBy is { Count: > 0 } g)
            source["GeneratedBy"] = new JsonArray(g.Select(x => (JsonNode?)new JsonObject { ["Name"] = x.Name, ["Version"] = x.Version }).ToArray());
        var json = new JsonObject
        {
            ["Name"] = "NiSharp functional connectivity",
            ["BIDSVersion"] = "1.9.0",
            ["DatasetType"] = "derivative",
            ["GeneratedBy"] = new JsonArray(new JsonObject
            {
                ["Name"] = "NiSharp",
                ["Version"] = Provenance.Version,
                ["Description"] = "nisharp run: region signals (labels masker), confound cleaning (nilearn signal.clean semantics), connectivity (nilearn ConnectivityMeasure) and group comparison",
            }),
            ["SourceDatasets"] = new JsonArray(source),
            ["DatasetLinks"] = new JsonObject { [InputLinkName] = uri },
        };
        OutputFolder.Create(outputDir);
        AtomicFile.WriteAllTextIfChanged(Path.Combine(outputDir, "dataset_description.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Whether <paramref name="outputDir"/> holds a description whose <c>GeneratedBy</c> names NiSharp (so that
    /// its files are NiSharp's to replace or remove). A missing or unreadable description is not NiSharp's: this class
    /// writes it atomically.</summary>
    public static bool IsWrittenByNiSharp(string outputDir)
    {
        var description = Path.Combine(outputDir, "dataset_description.json");
        if (!File.Exists(description)) return false;
        try { return DatasetDescription.Read(description, asInput: false).GeneratedBy.Any(g => g.Name == "NiSharp"); }
        catch (NiSharpException) { return false; }
    }
}
