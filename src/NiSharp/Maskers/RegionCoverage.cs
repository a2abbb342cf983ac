using System.Globalization;
using System.Text;
using NiSharp.IO;

namespace NiSharp.Maskers;

/// <summary>Why a region has a column of real values or not.</summary>
public enum RegionStatus
{
    /// <summary>The region has voxels and its signal was extracted.</summary>
    Extracted,
    /// <summary>No voxel of the region is on the data grid: it vanished when resampled (too small for the data voxels) or lies outside the field of view.</summary>
    NotOnDataGrid,
    /// <summary>The region is on the data grid but no voxel of it is inside the mask.</summary>
    OutsideMask,
    /// <summary>The region has voxels, but fewer than the coverage threshold asks for.</summary>
    BelowMinCoverage,
}

/// <summary>
/// How much of one region the data cover (XCP-D's coverage table): its size in the atlas on the atlas's own
/// grid expressed in data voxels, its voxels on the data grid, those inside the mask, and the covered fraction.
/// </summary>
/// <param name="Id">The label id (map or sphere number for maps and spheres).</param>
/// <param name="Name">The region name.</param>
/// <param name="Network">Its network, when the atlas has one.</param>
/// <param name="AtlasVoxels">Voxels of the region in the atlas on its own grid, scaled to the data voxel volume
/// (for spheres: voxel centres of the data lattice inside the sphere, wherever the field of view ends).</param>
/// <param name="GridVoxels">Voxels of the region on the data grid (after resampling to it).</param>
/// <param name="MaskVoxels">Of those, the voxels inside the mask (all of them without a mask).</param>
/// <param name="Coverage"><paramref name="MaskVoxels"/> / <paramref name="AtlasVoxels"/> (0 when the atlas has
/// none), capped at 1: nearest-neighbour resampling can give a region a voxel or two more on the data
/// grid than its size in the atlas.</param>
/// <param name="Status">Whether the region was extracted, and if not, why.</param>
public sealed record RegionCoverage(int Id, string Name, string? Network, double AtlasVoxels, int GridVoxels, int MaskVoxels,
    double Coverage, RegionStatus Status)
{
    /// <summary>Whether the region has no extracted signal.</summary>
    public bool IsEmpty => Status != RegionStatus.Extracted;

    /// <summary>The fraction covered, from the counts.</summary>
    public static double Fraction(int maskVoxels, double atlasVoxels) => atlasVoxels > 0 ? Math.Min(1, maskVoxels / atlasVoxels) : 0;

    /// <summary>A short name of a status for tables (<c>extracted</c>, <c>not_on_grid</c>, <c>outside_mask</c>, <c>below_min_coverage</c>).</summary>
    public static string StatusName(RegionStatus s) => s switch
    {
        RegionStatus.NotOnDataGrid => "not_on_grid",
        RegionStatus.OutsideMask => "outside_mask",
        RegionStatus.BelowMinCoverage => "below_min_coverage",
        _ => "extracted",
    };

    /// <summary>The row as a JSON-friendly dictionary.</summary>
    public Dictionary<string, object?> ToParameters() => new(StringComparer.Ordinal)
    {
        ["index"] = Id,
        ["name"] = Name,
        ["network"] = Network,
        ["atlas_voxels"] = Math.Round(AtlasVoxels, 3),
        ["grid_voxels"] = GridVoxels,
        ["mask_voxels"] = MaskVoxels,
        ["coverage"] = Math.Round(Coverage, 6),
        ["status"] = StatusName(Status),
    };

    /// <summary>Writes a coverage table as TSV: <c>index name network atlas_voxels grid_voxels mask_voxels coverage status</c>.</summary>
    public static void WriteTsv(string path, IEnumerable<RegionCoverage> rows)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("index\tname\tnetwork\tatlas_voxels\tgrid_voxels\tmask_voxels\tcoverage\tstatus\n");
        foreach (var r in rows)
        {
            sb.Append(r.Id.ToString(ci)).Append('\t').Append(r.Name).Append('\t').Append(r.Network ?? "n/a").Append('\t')
              .Append(Math.Round(r.AtlasVoxels, 3).ToString("R", ci)).Append('\t')
              .Append(r.GridVoxels.ToString(ci)).Append('\t').Append(r.MaskVoxels.ToString(ci)).Append('\t')
              .Append(Math.Round(r.Coverage, 6).ToString("R", ci)).Append('\t').Append(StatusName(r.Status)).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
