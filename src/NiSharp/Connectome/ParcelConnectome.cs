using NiSharp.Cifti;

namespace NiSharp.Connectome;

/// <summary>
/// Connectivity of grayordinate parcels as CIFTI: a time-series TSV extracted from a <c>.dtseries.nii</c> has its
/// parcellated twin beside it (<c>a.tsv</c> → <c>a.ptseries.nii</c>), whose parcels are the TSV's columns; a matrix of
/// those time series is written as a <c>.pconn.nii</c> (parcels × parcels, float32) that Workbench displays and nibabel
/// reads. Regions are matched by name, so a matrix that left some out still lines up.
/// </summary>
public static class ParcelConnectome
{
    /// <summary>
    /// The parcels of the parcellated series beside <paramref name="timeSeriesTsv"/>, or null when there is none. A
    /// twin whose parcels are not the TSV's columns (<paramref name="columns"/>, in order) is an error: one of the two
    /// was changed or replaced.
    /// </summary>
    public static ParcelsAxis? ParcelsBeside(string timeSeriesTsv, IReadOnlyList<Region> columns)
    {
        var path = CiftiKind.ParcelSeries.PathBeside(timeSeriesTsv);
        if (!File.Exists(path)) return null;
        var parcels = CiftiFile.ReadHeader(path).Axis<ParcelsAxis>(1, path);
        if (!parcels.Parcels.Select(p => p.Name).SequenceEqual(columns.Select(r => r.Name)))
            throw new NiSharpException(path, $"its {parcels.Length} parcels are not the {columns.Count} columns of {Path.GetFileName(timeSeriesTsv)}; extract both again");
        return parcels;
    }

    /// <summary>Writes <paramref name="matrix"/> as a <c>.pconn.nii</c> on the parcels of <paramref name="parcels"/>
    /// named like the matrix's regions (the same axis on both dimensions).</summary>
    public static void Write(string path, ConnectivityMatrix matrix, ParcelsAxis parcels)
    {
        var byName = parcels.Parcels.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var rows = matrix.Regions.Select(r => byName.TryGetValue(r.Name, out var p) ? p
            : throw new NiSharpException(path, $"region '{r.Name}' of the matrix is no parcel of the time series")).ToArray();
        var axis = new ParcelsAxis(parcels.Surfaces, parcels.Volume, rows);
        int n = rows.Length;
        var values = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) values[i * n + j] = (float)matrix.Values[i, j];
        CiftiWriter.Write<float>(path, new CiftiHeader([axis, axis]), values);
    }
}
