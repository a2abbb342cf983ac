using System.Text.Json;
using System.Text.Json.Nodes;

namespace NiSharp.Bids;

/// <summary>
/// The metadata of one file after the BIDS inheritance principle: every applicable JSON sidecar, from
/// the dataset root down to the file's own folder, merged key by key with the more specific one
/// winning (so a file-level <c>RepetitionTime</c> overrides the one in a top-level <c>task-rest_bold.json</c>).
/// </summary>
public sealed class BidsMetadata
{
    private readonly JsonObject _merged;

    /// <summary>The sidecars that were merged, least specific first.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>No metadata.</summary>
    public static BidsMetadata Empty { get; } = new(new JsonObject(), []);

    internal BidsMetadata(JsonObject merged, IReadOnlyList<string> sources)
    {
        _merged = merged;
        Sources = sources;
    }

    /// <summary>The keys, in the order they were first seen.</summary>
    public IEnumerable<string> Keys => _merged.Select(p => p.Key);

    /// <summary>Number of keys.</summary>
    public int Count => _merged.Count;

    /// <summary>Whether the key is present.</summary>
    public bool Contains(string key) => _merged.ContainsKey(key);

    /// <summary>A copy of the value of <paramref name="key"/>, or null.</summary>
    public JsonNode? this[string key] => _merged.TryGetPropertyValue(key, out var v) ? v?.DeepClone() : null;

    /// <summary>A number (e.g. <c>RepetitionTime</c> in seconds), or null when absent or not a number.</summary>
    public double? GetDouble(string key) =>
        _merged.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number
            ? jv.GetValue<double>()
            : null;

    /// <summary>
    /// <c>RepetitionTime</c> in seconds, or null when no sidecar gives it. A value that is present but not a
    /// positive finite number (a string, 0, a negative number) fails naming the sidecar that set it: a
    /// wrong TR would silently shift every filter cut-off.
    /// </summary>
    public double? GetRepetitionTime()
    {
        const string key = "RepetitionTime";
        if (!_merged.TryGetPropertyValue(key, out var v)) return null;
        string? problem = null;
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number)
        {
            double t = jv.GetValue<double>();
            problem = ResolvedRepetitionTime.Problem(t, jv.ToJsonString());
            if (problem is null) return t;
        }
        problem ??= $"RepetitionTime is {(v is null ? "null" : v.ToJsonString())} ({Kind(v)}); it must be a number of seconds such as 2.0";
        throw new NiSharpException(SourceOf(key) ?? "the BOLD metadata", problem);
    }

    private static string Kind(JsonNode? v) => v switch
    {
        null => "null",
        JsonValue x => x.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "not a number",
        },
        JsonArray => "a list",
        _ => "an object",
    };

    /// <summary>The most specific sidecar that sets <paramref name="key"/> (the one whose value won).</summary>
    private string? SourceOf(string key)
    {
        for (int i = Sources.Count - 1; i >= 0; i--)
        {
            try
            {
                if (ReadSidecar(Sources[i]).ContainsKey(key)) return Sources[i];
            }
            catch (NiSharpException) { }
        }
        return null;
    }

    /// <summary>The BIDS sidecar of an image: the same name with <c>.json</c> instead of <c>.nii[.gz]</c>.</summary>
    public static string SidecarPath(string imagePath)
    {
        string p = imagePath;
        if (p.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) p = p[..^3];
        if (p.EndsWith(".nii", StringComparison.OrdinalIgnoreCase)) p = p[..^4];
        return p + ".json";
    }

    /// <summary>The metadata of one sidecar file on its own (no inheritance).</summary>
    public static BidsMetadata ReadFile(string path) => new(ReadSidecar(path), [path]);

    /// <summary>A string, or null when absent or not a string.</summary>
    public string? GetString(string key) =>
        _merged.TryGetPropertyValue(key, out var v) && v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String
            ? jv.GetValue<string>()
            : null;

    /// <summary>An array of numbers (e.g. <c>SliceTiming</c>), or null when absent or not all numbers.</summary>
    public double[]? GetDoubles(string key)
    {
        if (!_merged.TryGetPropertyValue(key, out var v) || v is not JsonArray a) return null;
        var r = new double[a.Count];
        for (int i = 0; i < r.Length; i++)
        {
            if (a[i] is not JsonValue jv || jv.GetValueKind() != JsonValueKind.Number) return null;
            r[i] = jv.GetValue<double>();
        }
        return r;
    }

    /// <summary>A copy of the merged metadata as a JSON object.</summary>
    public JsonObject ToJsonObject() => (JsonObject)_merged.DeepClone();

    /// <inheritdoc />
    public override string ToString() => _merged.ToJsonString();

    /// <summary>Reads a JSON sidecar that must hold an object; fails with the file named on bad JSON.</summary>
    /// <remarks><paramref name="asInput"/> false for a file the command wrote itself (see <see cref="IO.InputFile.OpenRead"/>).</remarks>
    internal static JsonObject ReadSidecar(string path, bool asInput = true)
    {
        // A regular file of sidecar size, in UTF-8: a FIFO would block, /dev/zero would fill the memory.
        var bytes = IO.InputFile.ReadJsonBytes(path, "a JSON file", asInput);
        JsonNode? node;
        try
        {
            // A key given twice is ambiguous (Python keeps the last, a DOM would throw later): refuse it here.
            node = IO.StrictJson.ParseNode(bytes, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw InvalidJson(path, e);
        }
        return node as JsonObject ?? throw new NiSharpException(path, "expected a JSON object ({ ... }) at the top level");
    }

    /// <summary>The one-line error for a file that is not valid JSON: where, and the parser's first sentence.</summary>
    internal static NiSharpException InvalidJson(string path, JsonException e)
    {
        var where = e.LineNumber is long line ? $" at line {line + 1}" : "";
        return new NiSharpException(path, $"invalid JSON{where}: {FirstSentence(e.Message)}", e);
    }

    private static string FirstSentence(string message)
    {
        int i = message.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message.TrimEnd('.');
    }
}
