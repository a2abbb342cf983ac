using System.Text;
using System.Text.Json;
using CsCheck;
using NiSharp.IO;

namespace NiSharp.Tests.IO;

/// <summary>StrictJson refuses what System.Text.Json's own duplicate check refuses, with its message.</summary>
public class StrictJsonTests
{
    /// <summary>A random JSON value: objects of 0–40 keys from a small alphabet (so duplicates come up), arrays, numbers.</summary>
    private static readonly Gen<string> GenJson = Gen.Recursive<string>((depth, self) =>
        depth >= 3 ? Gen.Int[0, 9].Select(i => i.ToString())
        : Gen.OneOf(
            Gen.Int[0, 9].Select(i => i.ToString()),
            self.Array[0, 3].Select(a => "[" + string.Join(",", a) + "]"),
            Gen.Select(Gen.Int[0, 40], Gen.Int[1, 60]).SelectMany((n, names) =>
                Gen.Select(Gen.Int[0, names].Array[n], self.Array[n]).Select((k, v) =>
                    "{" + string.Join(",", k.Select((key, i) => $"\"k{key}\":{v[i]}")) + "}"))));

    private static string? Error(Func<IDisposable?> parse)
    {
        try { parse()?.Dispose(); return null; }
        catch (JsonException e) { return e.Message; }
    }

    [Fact]
    public void Refuses_a_duplicate_key_exactly_when_system_text_json_does()
    {
        GenJson.Sample(json =>
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var expected = Error(() => JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false }));
            var actual = Error(() => StrictJson.ParseDocument(bytes));
            // With several duplicates the two may name different ones; the message is checked below.
            Assert.Equal(expected is null, actual is null);
            Assert.Equal(expected is null, Error(() => { StrictJson.ParseNode(bytes); return null; }) is null);
        });
    }

    [Fact]
    public void The_message_is_system_text_json_s()
    {
        foreach (var json in new[] { """{"a":1,"a":2}""", """{"o":{"x":1,"y":[{"z":1,"z":2}]}}""",
                                     "{" + string.Join(",", Enumerable.Range(0, 50).Select(i => $"\"c{i}\":1")) + ",\"c7\":2}" })
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            var expected = Error(() => JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false }));
            Assert.NotNull(expected);
            Assert.Equal(expected, Error(() => StrictJson.ParseDocument(bytes)));
        }
        // Other options still apply; syntax errors are the parser's own.
        Assert.NotNull(StrictJson.ParseNode("{\"a\":1,}"u8.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true }));
        Assert.NotNull(Error(() => StrictJson.ParseDocument("{\"a\":1,}"u8.ToArray())));
    }
}
