using System.Text.Json;
using System.Text.Json.Nodes;

namespace NiSharp.IO;

/// <summary>
/// Parsing JSON that refuses a key given twice in one object (ambiguous: Python keeps the last, a DOM would throw later),
/// with the error System.Text.Json gives for it (when there are several, it may name another of them). The check is made here rather than by
/// <c>JsonDocumentOptions.AllowDuplicateProperties = false</c> because System.Text.Json checks an object of many keys
/// (an fMRIPrep confounds JSON has hundreds) with a hash set seeded from <c>RandomNumberGenerator</c>, which on Linux
/// loads OpenSSL: ~5 ms of CPU in a ~300 ms run (issue #23; see <see cref="Digest"/>). Keys are compared here as strings,
/// whose hashing seeds itself without OpenSSL.
/// </summary>
public static class StrictJson
{
    /// <summary>Parses <paramref name="utf8"/> as <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> does
    /// with <paramref name="options"/>, then refuses a duplicate key (<see cref="JsonException"/>).</summary>
    public static JsonDocument ParseDocument(byte[] utf8, JsonDocumentOptions options = default)
    {
        var doc = JsonDocument.Parse(utf8, options with { AllowDuplicateProperties = true });
        try { RefuseDuplicateKeys(doc.RootElement); }
        catch { doc.Dispose(); throw; }
        return doc;
    }

    /// <summary>Parses <paramref name="utf8"/> as <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/>
    /// does with <paramref name="options"/>, then refuses a duplicate key (<see cref="JsonException"/>).</summary>
    public static JsonNode? ParseNode(byte[] utf8, JsonDocumentOptions options = default)
    {
        using (ParseDocument(utf8, options)) { }
        return JsonNode.Parse(utf8, documentOptions: options with { AllowDuplicateProperties = true });
    }

    /// <summary>Throws on the first key (in document order of its second occurrence) given twice in one object.</summary>
    private static void RefuseDuplicateKeys(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    if (!seen.Add(p.Name)) throw new JsonException($"Duplicate property '{p.Name}' encountered during deserialization.");
                    RefuseDuplicateKeys(p.Value);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) RefuseDuplicateKeys(item);
                break;
        }
    }
}
