namespace NiSharp.Cifti;

/// <summary>
/// A CIFTI-2 file type: its axes, its NIfTI intent (code and the 16-byte <c>intent_name</c>) and its file extension,
/// from the CIFTI-2 standard's table (the intents nibabel registers). <c>.dtseries.nii</c> is series × brain models with
/// intent 3002 <c>ConnDenseSeries</c>; the kind of a file is found from its axes (<see cref="Of"/>).
/// </summary>
/// <param name="Extension">The file extension, e.g. <c>.dtseries.nii</c>.</param>
/// <param name="IntentCode">NIfTI <c>intent_code</c> (3000–3012).</param>
/// <param name="IntentName">NIfTI <c>intent_name</c>, e.g. <c>ConnDenseSeries</c> (the standard's spelling, <c>ConnParcelSries</c> included).</param>
/// <param name="Description">One phrase for listings.</param>
/// <param name="Axes">The kind of each dimension, dimension 0 first.</param>
public sealed record CiftiKind(string Extension, int IntentCode, string IntentName, string Description, CiftiIndexType[] Axes)
{
    private const CiftiIndexType B = CiftiIndexType.BrainModels, P = CiftiIndexType.Parcels, S = CiftiIndexType.Series,
        C = CiftiIndexType.Scalars, L = CiftiIndexType.Labels;

    /// <summary>Dense time series: series × brain models.</summary>
    public static CiftiKind DenseSeries { get; } = new(".dtseries.nii", 3002, "ConnDenseSeries", "dense time series", [S, B]);
    /// <summary>Dense scalars: scalars × brain models.</summary>
    public static CiftiKind DenseScalars { get; } = new(".dscalar.nii", 3006, "ConnDenseScalar", "dense scalar maps", [C, B]);
    /// <summary>Dense labels: labels × brain models.</summary>
    public static CiftiKind DenseLabels { get; } = new(".dlabel.nii", 3007, "ConnDenseLabel", "dense label maps", [L, B]);
    /// <summary>Dense connectivity: brain models × brain models.</summary>
    public static CiftiKind DenseConnectivity { get; } = new(".dconn.nii", 3001, "ConnDense", "dense connectivity", [B, B]);
    /// <summary>Parcellated time series: series × parcels.</summary>
    public static CiftiKind ParcelSeries { get; } = new(".ptseries.nii", 3004, "ConnParcelSries", "parcellated time series", [S, P]);
    /// <summary>Parcellated scalars: scalars × parcels.</summary>
    public static CiftiKind ParcelScalars { get; } = new(".pscalar.nii", 3008, "ConnParcelScalr", "parcellated scalar maps", [C, P]);
    /// <summary>Parcellated connectivity: parcels × parcels.</summary>
    public static CiftiKind ParcelConnectivity { get; } = new(".pconn.nii", 3003, "ConnParcels", "parcellated connectivity", [P, P]);

    /// <summary>Every kind NiSharp names, the standard's others included.</summary>
    public static IReadOnlyList<CiftiKind> All { get; } =
    [
        DenseSeries, DenseScalars, DenseLabels, DenseConnectivity, ParcelSeries, ParcelScalars, ParcelConnectivity,
        new(".pdconn.nii", 3009, "ConnParcelDense", "parcel-dense connectivity", [P, B]),
        new(".dpconn.nii", 3010, "ConnDenseParcel", "dense-parcel connectivity", [B, P]),
        new(".pconnseries.nii", 3011, "ConnPPSr", "parcellated connectivity series", [P, P, S]),
        new(".pconnscalar.nii", 3012, "ConnPPSc", "parcellated connectivity scalars", [P, P, C]),
    ];

    /// <summary>The file of this kind beside another file of the same stem: <c>a.tsv</c> → <c>a.ptseries.nii</c> for
    /// <see cref="ParcelSeries"/> (the stem is the name without its last extension).</summary>
    public string PathBeside(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        int dot = name.LastIndexOf('.');
        var stem = dot > 0 ? name[..dot] : name;
        return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "", stem + Extension);
    }

    /// <summary>The kind whose axes are <paramref name="axes"/>; a generic CIFTI file (3000 <c>ConnUnknown</c>, <c>.nii</c>) otherwise.</summary>
    public static CiftiKind Of(IReadOnlyList<CiftiAxis> axes) =>
        All.FirstOrDefault(k => k.Axes.Length == axes.Count && k.Axes.Select((a, i) => a == axes[i].Kind).All(x => x))
        ?? new CiftiKind(".nii", 3000, "ConnUnknown", "CIFTI matrix", axes.Select(a => a.Kind).ToArray());
}
