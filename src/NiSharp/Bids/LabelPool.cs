using System.Collections.Concurrent;

namespace NiSharp.Bids;

/// <summary>
/// Interns the labels read from file names (a dataset repeats <c>rest</c>, <c>MNI152NLin2009cAsym</c>,
/// <c>preproc</c> thousands of times): each distinct label is one string, looked up from the name's
/// characters without allocating. Equal labels are then the same reference, which makes query
/// comparisons a pointer check. Thread-safe: the indexer parses subjects in parallel.
/// </summary>
internal sealed class LabelPool
{
    private readonly ConcurrentDictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    public LabelPool() => _bySpan = _labels.GetAlternateLookup<ReadOnlySpan<char>>();

    public string Get(ReadOnlySpan<char> label)
    {
        if (_bySpan.TryGetValue(label, out var s)) return s;
        var fresh = label.ToString();
        return _labels.GetOrAdd(fresh, fresh);
    }

    public string Get(string label) => _labels.GetOrAdd(label, label);
}
