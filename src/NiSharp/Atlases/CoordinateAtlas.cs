using System.Globalization;

namespace NiSharp.Atlases;

/// <summary>One region of a coordinate atlas: an MNI position (mm), and a name and network when the atlas has them.</summary>
public sealed record RoiCoordinate(int Index, double X, double Y, double Z, string? Name = null, string? Network = null);

/// <summary>
/// The coordinate atlases nilearn ships for sphere maskers: Power 2011 (264 ROIs) and Dosenbach 2010
/// (160 ROIs with names and networks), MNI millimetres. Source: nilearn's package data, BSD-3-Clause.
/// </summary>
public static class CoordinateAtlas
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.OrdinalIgnoreCase)
    {
        ["power2011"] = "atlases/coordinates/power_2011.csv",
        ["dosenbach2010"] = "atlases/coordinates/dosenbach_2010.csv",
    };

    /// <summary>The names that <see cref="Load"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } = Files.Keys.ToList();

    /// <summary>Loads <c>power2011</c> or <c>dosenbach2010</c>.</summary>
    public static IReadOnlyList<RoiCoordinate> Load(string name)
    {
        var key = name.Trim().Replace("-", "").Replace("_", "");
        if (!Files.TryGetValue(key, out var file))
            throw new NiSharpException($"unknown coordinate atlas '{name}' (known: {string.Join(", ", Names)})");
        return Parse(BundledData.ReadLines(file), file);
    }

    /// <summary>Parses a CSV with a header holding x, y, z columns (any case) and optionally name and network.</summary>
    public static IReadOnlyList<RoiCoordinate> Parse(IReadOnlyList<string> lines, string source)
    {
        var head = lines[0].Split(',').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        int Col(string n) => Array.IndexOf(head, n);
        int ix = Col("x"), iy = Col("y"), iz = Col("z"), iname = Col("name"), inet = Col("network");
        int iid = Col("roi") >= 0 ? Col("roi") : Col("number");
        if (ix < 0 || iy < 0 || iz < 0) throw new NiSharpException(source, "the coordinate table needs x, y and z columns");
        var list = new List<RoiCoordinate>();
        for (int i = 1; i < lines.Count; i++)
        {
            if (lines[i].Trim().Length == 0) continue;
            var c = lines[i].Split(',');
            double D(int k) => double.Parse(c[k], NumberStyles.Float, CultureInfo.InvariantCulture);
            int id = iid >= 0 ? int.Parse(c[iid], CultureInfo.InvariantCulture) : list.Count + 1;
            list.Add(new RoiCoordinate(id, D(ix), D(iy), D(iz), iname >= 0 ? c[iname].Trim() : null, inet >= 0 ? c[inet].Trim() : null));
        }
        return list;
    }
}
