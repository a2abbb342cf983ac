using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace NiSharp.IO;

/// <summary>
/// The JSON of parameter dictionaries (<c>Dictionary&lt;string, object?&gt;</c> of numbers, strings, arrays, nested
/// dictionaries and JSON nodes), as sidecars and provenance record them. Serialised through a source-generated
/// context, never by reflection: the published <c>nisharp</c> is compiled ahead of time (NativeAOT), where reflection
/// serialisation does not exist, and the test suite runs with reflection serialisation switched off too, so a value
/// of a type missing here fails there rather than only in the published binary.
/// </summary>
public static class ParameterJson
{
    private static readonly JsonSerializerOptions Compact = new() { TypeInfoResolver = ParameterJsonContext.Default };
    private static readonly JsonSerializerOptions Indented = new() { TypeInfoResolver = ParameterJsonContext.Default, WriteIndented = true };

    /// <summary><paramref name="value"/> (a parameter dictionary, array or scalar) as a JSON node.</summary>
    /// <exception cref="NotSupportedException">A value of a type the context does not list (add it to <see cref="ParameterJsonContext"/>).</exception>
    public static JsonNode? ToNode(object? value) => JsonSerializer.SerializeToNode(value, Root(Compact));

    /// <summary><paramref name="parameters"/> as indented JSON text ending with a newline, as sidecar files hold it.</summary>
    /// <exception cref="NotSupportedException">A value of a type the context does not list (add it to <see cref="ParameterJsonContext"/>).</exception>
    public static string Serialize(IReadOnlyDictionary<string, object?> parameters) =>
        JsonSerializer.Serialize(parameters, Root(Indented)) + "\n";

    // Declared as object: the serializer then writes each value by its run-time type, looked up in the context.
    private static JsonTypeInfo<object?> Root(JsonSerializerOptions options) => (JsonTypeInfo<object?>)options.GetTypeInfo(typeof(object));
}

/// <summary>
/// Every type a parameter value takes at run time (the source generator writes their serialisers at build time).
/// </summary>
[JsonSerializable(typeof(object))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(bool[]))]
[JsonSerializable(typeof(int[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(float[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(object[]))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<int>))]
[JsonSerializable(typeof(List<double>))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(Dictionary<string, object?>[]))]
[JsonSerializable(typeof(SortedDictionary<string, object?>))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
[JsonSerializable(typeof(JsonValue))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class ParameterJsonContext : JsonSerializerContext;
