namespace NiSharp.Cifti;

/// <summary>
/// The CIFTI-2 XML of a file (nibabel's <c>Cifti2Header</c>): one axis per matrix dimension and the matrix's metadata.
/// Parsed by <see cref="Parse"/>, written by <see cref="ToXml"/> in the element layout Workbench writes.
/// </summary>
public sealed class CiftiHeader
{
    /// <summary>A header with <paramref name="axes"/> (dimension 0 first) and optional matrix metadata (name, value).
    /// Two dimensions given the same axis object share one <c>MatrixIndicesMap</c> in the XML (as a <c>.pconn</c>'s do).</summary>
    public CiftiHeader(IReadOnlyList<CiftiAxis> axes, IReadOnlyList<KeyValuePair<string, string>>? metadata = null)
    {
        if (axes.Count is < 2 or > 3) throw new ArgumentException("a CIFTI-2 matrix has 2 or 3 dimensions", nameof(axes));
        Axes = axes;
        Metadata = metadata ?? [];
    }

    /// <summary>The axis of each dimension.</summary>
    public IReadOnlyList<CiftiAxis> Axes { get; }

    /// <summary>The matrix's <c>MetaData</c> (provenance and the like), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>The matrix shape the axes describe (nibabel's <c>get_data_shape</c>).</summary>
    public int[] Shape => Axes.Select(a => a.Length).ToArray();

    /// <summary>The file type the axes make (dtseries, ptseries, …).</summary>
    public CiftiKind Kind => CiftiKind.Of(Axes);

    /// <summary>The axis of dimension <paramref name="dimension"/> as <typeparamref name="TAxis"/>, or a one-line error
    /// naming <paramref name="source"/> and what the dimension holds instead.</summary>
    public TAxis Axis<TAxis>(int dimension, string source) where TAxis : CiftiAxis =>
        dimension < Axes.Count && Axes[dimension] is TAxis a
            ? a
            : throw new NiSharpException(source, $"dimension {dimension} of the CIFTI matrix holds {(dimension < Axes.Count ? CiftiAxis.DisplayName(Axes[dimension].Kind) : "nothing")}, " +
                                                 $"expected {CiftiAxis.DisplayName(KindOf<TAxis>())} (the file is a {Kind.Description}, {Kind.Extension})");

    private static CiftiIndexType KindOf<TAxis>() where TAxis : CiftiAxis =>
        typeof(TAxis) == typeof(BrainModelAxis) ? CiftiIndexType.BrainModels
        : typeof(TAxis) == typeof(ParcelsAxis) ? CiftiIndexType.Parcels
        : typeof(TAxis) == typeof(SeriesAxis) ? CiftiIndexType.Series
        : typeof(TAxis) == typeof(ScalarAxis) ? CiftiIndexType.Scalars
        : CiftiIndexType.Labels;

    /// <summary>Parses the XML content of a CIFTI extension; every problem is one line naming <paramref name="source"/>.</summary>
    public static CiftiHeader Parse(ReadOnlySpan<byte> xml, string source) => CiftiXml.Parse(xml, source);

    /// <summary>The XML (UTF-8) for a CIFTI extension.</summary>
    public byte[] ToXml() => CiftiXml.Write(this);
}
