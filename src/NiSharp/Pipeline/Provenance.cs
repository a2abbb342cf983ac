using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Maskers;

namespace NiSharp.Pipeline;

/// <summary>
/// What makes an output reproducible and a rerun safe to skip: the effective analysis parameters as one JSON
/// object (written into every sidecar) and two hashes — <see cref="ParametersHash"/> over those parameters, the same
/// for every subject, and per run an inputs hash over the input files' names, sizes and modification times. A run's
/// outputs are reused only when both match.
/// </summary>
public sealed class Provenance
{
    /// <summary>Bumped when the participant-level computation changes in a way the parameters do not show.</summary>
    public const int PipelineRevision = 1;

    /// <summary>The sidecar key of <see cref="ParametersHash"/>.</summary>
    public const string ParametersHashKey = "ParametersHash";

    /// <summary>The sidecar key of a run's inputs hash.</summary>
    public const string InputsHashKey = "InputsHash";

    /// <summary>The effective parameters (a copy).</summary>
    public JsonObject Parameters => (JsonObject)_parameters.DeepClone();

    /// <summary>SHA-256 (first 16 hex digits) of <see cref="Parameters"/>.</summary>
    public string ParametersHash { get; }

    private readonly JsonObject _parameters;

    /// <summary>Collects the effective parameters of a run of <paramref name="options"/> (atlas label <paramref name="atlasLabel"/>):
    /// the atlas by its name, origin, space and resolution, and — unless bundled — by the content of its files, so that
    /// replacing an atlas file (or a TemplateFlow/BIDS-Atlas image or table) invalidates outputs.</summary>
    public Provenance(RunOptions options, string atlasLabel, LabelsMaskerOptions masker)
    {
        var strategy = options.ConfoundStrategy();
        var source = masker.Atlas.Source;
        var atlas = new JsonObject
        {
            ["Name"] = source?.Name ?? masker.Atlas.Name,
            ["Label"] = atlasLabel,
            ["Origin"] = source is null ? null : Atlases.AtlasSource.OriginName(source.Origin),
            ["Space"] = masker.Atlas.Space,
            ["Resolution"] = source?.Resolution,
            ["ContentHash"] = source is null || source.Origin == Atlases.AtlasOrigin.Bundled ? null : source.ContentHash,
            ["LabelsContentHash"] = options.AtlasLabels is string l ? FileHash(l) : null,
        };
        _parameters = new JsonObject
        {
            ["PipelineRevision"] = PipelineRevision,
            ["Space"] = options.Space,
            ["Atlas"] = atlas,
            ["Confounds"] = ParameterJson.ToNode(strategy.ToParameters()),
            // the run's own TR is recorded per run, not hashed
            ["Cleaning"] = ParameterJson.ToNode(options.Clean.ToParameters(repetitionTime: false)),
            ["Masker"] = ParameterJson.ToNode(MaskerParameters(masker.ToParameters(), masker.Atlas)),
            ["Connectivity"] = new JsonArray(ParticipantKinds(options).Select(k => (JsonNode?)ConnectivityParameters(k)).ToArray()),
        };
        ParametersHash = Hash(_parameters.ToJsonString());
    }

    /// <summary>
    /// The masker's parameters as the outputs record them: the atlas by its name (the file name of a file) and the label
    /// names by their table's file name rather than by where they happen to lie on this machine, and the brain mask as
    /// the run's.
    /// </summary>
    public static Dictionary<string, object?> MaskerParameters(IReadOnlyDictionary<string, object?> parameters, Atlases.Atlas atlas)
    {
        var source = atlas.Source;
        var d = new Dictionary<string, object?>(parameters, StringComparer.Ordinal)
        {
            ["labels_img"] = source?.Name ?? atlas.Name,
            ["labels"] = source?.LabelsPath is string l ? Path.GetFileName(l)
                : atlas.Info is not null ? "bundled with the atlas" : "label_N names (no label table)",
            ["mask_img"] = "the run's fMRIPrep brain mask (desc-brain_mask)",
        };
        return d;
    }

    /// <summary>The kinds computed per run: all but tangent, which is relative to the group and so is computed by the group level.</summary>
    public static IReadOnlyList<ConnectivityKind> ParticipantKinds(RunOptions options) =>
        options.Kinds.Where(k => k != ConnectivityKind.Tangent).ToArray();

    /// <summary>The connectivity options of one kind in a run (nilearn's defaults otherwise).</summary>
    public static ConnectivityOptions Connectivity(ConnectivityKind kind) => new() { Kind = kind };

    /// <summary>The parameters of one connectivity kind as its sidecar records them.</summary>
    public static JsonObject ConnectivityParameters(ConnectivityKind kind)
    {
        var p = Connectivity(kind).ToParameters();
        p["EmptyRegions"] = "left out of the estimate; their rows and columns are n/a";
        return p;
    }

    /// <summary>
    /// The parameters hash of a set of atlases analysed together, from each one's <see cref="ParametersHash"/> in order:
    /// that hash itself for one atlas (so a one-atlas run records what it always did), else the hash of them all — another
    /// atlas set gives another hash.
    /// </summary>
    public static string SetHash(IReadOnlyList<string> parametersHashes) =>
        parametersHashes.Count == 1 ? parametersHashes[0] : Hash("atlas set\n" + string.Join("\n", parametersHashes));

    /// <summary>The inputs hash of a run: names (relative to the input folder), sizes and modification times.</summary>
    public static string InputsHash(string inputRoot, IEnumerable<string?> files)
    {
        var sb = new StringBuilder();
        foreach (var f in files)
        {
            if (f is null) continue;
            var info = new FileInfo(f);
            sb.Append(Path.GetRelativePath(inputRoot, f)).Append('|')
              .Append(info.Exists ? info.Length : -1).Append('|')
              .Append(info.Exists ? info.LastWriteTimeUtc.Ticks : 0).Append('\n');
        }
        return Hash(sb.ToString());
    }

    /// <summary>First 16 hex digits of the SHA-256 of <paramref name="text"/> (<see cref="Digest.Sha256"/>: outputs record it).</summary>
    public static string Hash(string text) => Digest.Sha256Hex(Encoding.UTF8.GetBytes(text), 16);

    private static string FileHash(string path)
    {
        using var s = InputFile.OpenRead(path, 1 << 16, FileOptions.SequentialScan);
        var d = Digest.Sha256();
        d.Append(s);
        return d.Hex(16);
    }

    /// <summary>The version written into <c>GeneratedBy</c>.</summary>
    public static string Version => typeof(Provenance).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary><c>GeneratedBy</c> for sidecars and <c>dataset_description.json</c>.</summary>
    public static JsonArray GeneratedBy(string description) => new(new JsonObject
    {
        ["Name"] = "NiSharp",
        ["Version"] = Version,
        ["Description"] = description,
    });

    internal static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
