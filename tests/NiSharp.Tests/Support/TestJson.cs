using System.Text.Json;
using System.Text.Json.Serialization;

namespace NiSharp.Tests.Support;

/// <summary>The fixtures' JSON types, source-generated: the tests run with reflection serialisation off, as the
/// published nisharp does.</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
public sealed partial class TestJson : JsonSerializerContext;
