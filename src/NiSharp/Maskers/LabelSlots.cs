namespace NiSharp.Maskers;

/// <summary>
/// The slot of each label of an atlas (its position in a list of labels), looked up for every voxel of a grid when a
/// masker is fitted: a table indexed by label when the labels span a modest range (every bundled atlas; AAL's codes run
/// to 9170), else a dictionary.
/// </summary>
internal sealed class LabelSlots
{
    // A table of at most this many entries (128 KB) replaces the dictionary.
    private const int MaxSpan = 1 << 15;
    private readonly int[]? _table;
    private readonly int _min;
    private readonly Dictionary<int, int>? _map;

    public LabelSlots(IReadOnlyList<int> labels)
    {
        if (labels.Count == 0)
        {
            _table = [];
            return;
        }
        int min = labels.Min(), max = labels.Max();
        if ((long)max - min < MaxSpan)
        {
            _min = min;
            _table = new int[max - min + 1];
            Array.Fill(_table, -1);
            for (int k = 0; k < labels.Count; k++) _table[labels[k] - min] = k;
            return;
        }
        _map = new Dictionary<int, int>(labels.Count);
        for (int k = 0; k < labels.Count; k++) _map[labels[k]] = k;
    }

    /// <summary>The slot of <paramref name="label"/>, when it is one of the labels.</summary>
    public bool TryGet(int label, out int slot)
    {
        if (_table is { } t)
        {
            long at = (long)label - _min;
            slot = (ulong)at < (ulong)t.Length ? t[at] : -1;
            return slot >= 0;
        }
        return _map!.TryGetValue(label, out slot);
    }
}
