using System.Globalization;
using NiSharp.Cifti;

namespace NiSharp.Atlases;

/// <summary>
/// A grayordinate atlas: one label map of a CIFTI <c>.dlabel.nii</c> — a label key per grayordinate (vertices of each
/// surface structure, voxels) and the map's label table. What Workbench's <c>-cifti-parcellate</c> takes as its
/// parcellation. <c>GrayordinateAtlas.Load("conte69-composite")</c> gives a bundled one, <c>Load("atlas.dlabel.nii", "2")</c>
/// map 2 of a user's file.
/// </summary>
public sealed class GrayordinateAtlas
{
    private GrayordinateAtlas(string name, string source, int map, string mapName, BrainModelAxis grayordinates, int[] keys, LabelTable labels, GrayordinateAtlasInfo? info)
    {
        Name = name; Source = source; Map = map; MapName = mapName; Grayordinates = grayordinates; Keys = keys; Labels = labels; Info = info;
    }

    /// <summary>The bundled name, or the file name.</summary>
    public string Name { get; }

    /// <summary>The <c>.dlabel.nii</c> it was read from (the extracted copy for a bundled atlas).</summary>
    public string Source { get; }

    /// <summary>The label map used, 1-based.</summary>
    public int Map { get; }

    /// <summary>The map's name (<c>MapName</c>).</summary>
    public string MapName { get; }

    /// <summary>The atlas's grayordinates.</summary>
    public BrainModelAxis Grayordinates { get; }

    /// <summary>The label key of each grayordinate (0: none).</summary>
    public int[] Keys { get; }

    /// <summary>The map's label table (key, name, colour); keys the table lacks are named <c>label_N</c>.</summary>
    public LabelTable Labels { get; }

    /// <summary>The catalogue entry of a bundled atlas, null for a user's file.</summary>
    public GrayordinateAtlasInfo? Info { get; }

    /// <summary>The label keys some grayordinate carries, 0 left out, ascending: the parcels, in Workbench's order.</summary>
    public IReadOnlyList<int> KeysPresent => Keys.Where(k => k != 0).Distinct().Order().ToArray();

    /// <summary>Whether <paramref name="nameOrPath"/> names a grayordinate atlas: a bundled fsLR atlas or a CIFTI file.</summary>
    public static bool IsGrayordinateAtlas(string nameOrPath) =>
        File.Exists(nameOrPath) ? Cifti.CiftiFile.IsCifti(nameOrPath) : AtlasCatalog.FindGrayordinate(nameOrPath) is not null;

    /// <summary>
    /// A bundled grayordinate atlas by name (<c>conte69-composite</c>, <c>conte69-brodmann</c>) or a <c>.dlabel.nii</c>
    /// file, with the label map <paramref name="map"/>: a 1-based number or a map name (default: the bundled atlas's
    /// map, or map 1 of a file).
    /// </summary>
    public static GrayordinateAtlas Load(string nameOrPath, string? map = null)
    {
        var info = File.Exists(nameOrPath) ? null : AtlasCatalog.FindGrayordinate(nameOrPath);
        // A path (not a bundled name) that is no file is opened all the same, so that the message says why: not found,
        // a link to nothing, a folder (as Atlas.Load does for volumes).
        if (info is null && !File.Exists(nameOrPath) && !nameOrPath.Contains('/') && !nameOrPath.Contains('.'))
            throw new NiSharpException($"unknown grayordinate atlas '{nameOrPath}' (bundled: {string.Join(", ", AtlasCatalog.Grayordinate.Select(a => a.Name))}; or give a .dlabel.nii file)");
        var path = info is null ? nameOrPath : BundledData.PathOf(info.File);
        using var f = CiftiFile.Open(path);
        string who = info?.Name ?? path;
        var labels = f.Header.Axis<LabelAxis>(0, who);
        var grayordinates = f.Header.Axis<BrainModelAxis>(1, who);
        int index = map is null ? (info?.Map ?? 1) - 1 : MapIndex(labels, map, who);
        var values = new float[f.Columns];
        f.ReadRows<float>(index, 1, values);
        var keys = new int[values.Length];
        for (int g = 0; g < values.Length; g++)
        {
            float v = values[g];
            if (!(v == MathF.Round(v)) || v < int.MinValue || v > int.MaxValue)
                throw new NiSharpException(who, $"label map {index + 1} ('{labels.Maps[index].Name}') holds {v.ToString("R", CultureInfo.InvariantCulture)} at grayordinate {g}, not an integer label key");
            keys[g] = (int)v;
        }
        var named = labels.Maps[index].LabelTable!.ToDictionary(l => l.Key);
        var table = new LabelTable(keys.Append(0).Distinct().Order().Select(k => named.TryGetValue(k, out var l)
            ? new AtlasLabel(k, l.Name, null, new Rgba(Channel(l.Red), Channel(l.Green), Channel(l.Blue), Channel(l.Alpha)))
            : new AtlasLabel(k, k == 0 ? "???" : "label_" + k.ToString(CultureInfo.InvariantCulture))), path);
        return new GrayordinateAtlas(info?.Name ?? Path.GetFileName(path), path, index + 1, labels.Maps[index].Name, grayordinates, keys, table, info);
    }

    /// <summary>The 0-based map of <paramref name="map"/>: a 1-based number, else a map name (exact, then ignoring case).</summary>
    private static int MapIndex(LabelAxis labels, string map, string who)
    {
        string list = string.Join("; ", labels.Maps.Select((m, i) => $"{i + 1} '{m.Name}'"));
        if (int.TryParse(map, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n))
            return n >= 1 && n <= labels.Maps.Count ? n - 1 : throw new NiSharpException(who, $"has no label map {n} (maps: {list})");
        for (int i = 0; i < labels.Maps.Count; i++) if (labels.Maps[i].Name == map) return i;
        var matches = Enumerable.Range(0, labels.Maps.Count).Where(i => string.Equals(labels.Maps[i].Name, map, StringComparison.OrdinalIgnoreCase)).ToArray();
        return matches.Length == 1 ? matches[0] : throw new NiSharpException(who, $"has no label map named '{map}' (maps: {list})");
    }

    private static byte Channel(double v) => (byte)Math.Clamp(Math.Round(v * 255), 0, 255);
}
