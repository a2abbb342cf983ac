using NiSharp.Nifti;

namespace NiSharp.Cifti;

/// <summary>What the indices along one dimension of a CIFTI matrix stand for (the XML's <c>IndicesMapToDataType</c>).</summary>
public enum CiftiIndexType
{
    /// <summary><c>CIFTI_INDEX_TYPE_BRAIN_MODELS</c>: grayordinates (surface vertices and voxels, per structure).</summary>
    BrainModels,
    /// <summary><c>CIFTI_INDEX_TYPE_PARCELS</c>: named sets of vertices and voxels.</summary>
    Parcels,
    /// <summary><c>CIFTI_INDEX_TYPE_SERIES</c>: evenly spaced points (time, frequency).</summary>
    Series,
    /// <summary><c>CIFTI_INDEX_TYPE_SCALARS</c>: named maps.</summary>
    Scalars,
    /// <summary><c>CIFTI_INDEX_TYPE_LABELS</c>: named maps of label keys, each with its label table.</summary>
    Labels,
}

/// <summary>
/// One dimension of a CIFTI-2 matrix: what its indices mean (nibabel's <c>cifti2_axes.Axis</c>). A dense time series
/// (<c>.dtseries.nii</c>) has a <see cref="SeriesAxis"/> along dimension 0 (its rows, the time points) and a
/// <see cref="BrainModelAxis"/> along dimension 1 (its columns, the grayordinates).
/// </summary>
public abstract class CiftiAxis
{
    /// <summary>The kind of index.</summary>
    public abstract CiftiIndexType Kind { get; }

    /// <summary>Number of indices along this dimension.</summary>
    public abstract int Length { get; }

    /// <summary>The XML name of <paramref name="kind"/> (<c>CIFTI_INDEX_TYPE_…</c>).</summary>
    public static string XmlName(CiftiIndexType kind) => kind switch
    {
        CiftiIndexType.BrainModels => "CIFTI_INDEX_TYPE_BRAIN_MODELS",
        CiftiIndexType.Parcels => "CIFTI_INDEX_TYPE_PARCELS",
        CiftiIndexType.Series => "CIFTI_INDEX_TYPE_SERIES",
        CiftiIndexType.Scalars => "CIFTI_INDEX_TYPE_SCALARS",
        _ => "CIFTI_INDEX_TYPE_LABELS",
    };

    /// <summary>A short name for listings: <c>brain models</c>, <c>parcels</c>, <c>series</c>, <c>scalars</c>, <c>labels</c>.</summary>
    public static string DisplayName(CiftiIndexType kind) => kind switch
    {
        CiftiIndexType.BrainModels => "brain models",
        CiftiIndexType.Parcels => "parcels",
        CiftiIndexType.Series => "series",
        CiftiIndexType.Scalars => "scalars",
        _ => "labels",
    };
}

/// <summary>The volume the voxel grayordinates of an axis are indices into: its dimensions and IJK → XYZ affine.</summary>
/// <param name="Dimensions">The three dimensions (<c>VolumeDimensions</c>).</param>
/// <param name="Affine">The voxel-index-to-space matrix in millimetres (<c>TransformationMatrixVoxelIndicesIJKtoXYZ</c>
/// scaled by its <c>MeterExponent</c> to mm).</param>
public sealed record CiftiVolume(int[] Dimensions, Affine Affine)
{
    /// <summary>Same dimensions and an affine equal within numpy <c>allclose</c> (as grids are compared elsewhere).</summary>
    public bool SameSpace(CiftiVolume other) => Dimensions.AsSpan().SequenceEqual(other.Dimensions) && Affine.AllClose(other.Affine);

    /// <summary>The linear index of voxel (i, j, k), i fastest (NIfTI order).</summary>
    public int Linear(int i, int j, int k) => i + Dimensions[0] * (j + Dimensions[1] * k);

    /// <summary>e.g. <c>91×109×91 at 2 mm</c>.</summary>
    public string Describe()
    {
        var (sx, sy, sz) = Affine.VoxelSizes;
        static string F(double v) => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
        string size = Math.Abs(sx - sy) < 1e-6 && Math.Abs(sx - sz) < 1e-6 ? F(sx) : $"{F(sx)}×{F(sy)}×{F(sz)}";
        return $"{string.Join('×', Dimensions)} at {size} mm";
    }
}

/// <summary>Whether a brain model is a surface (vertices) or voxels.</summary>
public enum BrainModelType
{
    /// <summary><c>CIFTI_MODEL_TYPE_SURFACE</c>.</summary>
    Surface,
    /// <summary><c>CIFTI_MODEL_TYPE_VOXELS</c>.</summary>
    Voxels,
}

/// <summary>
/// The grayordinates of one structure on a brain-models axis: indices <see cref="Offset"/> .. <see cref="Offset"/>+<see cref="Count"/>-1
/// are the vertices <see cref="Vertices"/> of a surface of <see cref="SurfaceVertexCount"/> vertices, or the voxels
/// <see cref="Voxels"/> (i, j, k triples) of the axis's volume.
/// </summary>
public sealed class BrainModel
{
    /// <summary>A surface brain model.</summary>
    public static BrainModel Surface(string structure, int offset, int surfaceVertexCount, int[] vertices) =>
        new(structure, BrainModelType.Surface, offset, vertices.Length, surfaceVertexCount, vertices, []);

    /// <summary>A voxel brain model; <paramref name="ijk"/> holds 3 indices per voxel.</summary>
    public static BrainModel Volume(string structure, int offset, int[] ijk) =>
        new(structure, BrainModelType.Voxels, offset, ijk.Length / 3, 0, [], ijk);

    private BrainModel(string structure, BrainModelType type, int offset, int count, int surfaceVertexCount, int[] vertices, int[] voxels)
    {
        Structure = structure; ModelType = type; Offset = offset; Count = count; SurfaceVertexCount = surfaceVertexCount; Vertices = vertices; Voxels = voxels;
    }

    /// <summary>The structure (<c>CIFTI_STRUCTURE_…</c>).</summary>
    public string Structure { get; }
    /// <summary>Surface or voxels.</summary>
    public BrainModelType ModelType { get; }
    /// <summary>The matrix index of its first grayordinate (<c>IndexOffset</c>).</summary>
    public int Offset { get; }
    /// <summary>Its number of grayordinates (<c>IndexCount</c>).</summary>
    public int Count { get; }
    /// <summary>Vertices of the whole surface (<c>SurfaceNumberOfVertices</c>); 0 for voxels.</summary>
    public int SurfaceVertexCount { get; }
    /// <summary>The vertex of each grayordinate (surface); empty for voxels.</summary>
    public int[] Vertices { get; }
    /// <summary>The i, j, k of each grayordinate (voxels), three per grayordinate; empty for a surface.</summary>
    public int[] Voxels { get; }
}

/// <summary>
/// Grayordinates (nibabel's <c>BrainModelAxis</c>): the structures in matrix order, surface vertices per structure and
/// voxels with their IJK in <see cref="Volume"/>. Grayordinates of two files are matched by structure and vertex, or by
/// voxel, never by position (<see cref="IndexOfVertex"/>, <see cref="IndexOfVoxel"/>).
/// </summary>
public sealed class BrainModelAxis : CiftiAxis
{
    private Dictionary<string, int[]>? _vertexIndex;
    private Dictionary<int, int>? _voxelIndex;

    /// <summary>An axis of <paramref name="models"/> (contiguous, in order from index 0) in <paramref name="volume"/>
    /// (required when a model has voxels).</summary>
    public BrainModelAxis(IReadOnlyList<BrainModel> models, CiftiVolume? volume)
    {
        int next = 0;
        foreach (var m in models)
        {
            if (m.Offset != next) throw new ArgumentException($"brain model {m.Structure} starts at {m.Offset}, expected {next}");
            next += m.Count;
        }
        if (volume is null && models.Any(m => m.ModelType == BrainModelType.Voxels))
            throw new ArgumentException("voxel brain models need a volume");
        Models = models;
        Volume = volume;
        Length = next;
    }

    /// <inheritdoc />
    public override CiftiIndexType Kind => CiftiIndexType.BrainModels;
    /// <inheritdoc />
    public override int Length { get; }
    /// <summary>The brain models (one per structure and type), in matrix order.</summary>
    public IReadOnlyList<BrainModel> Models { get; }
    /// <summary>The volume of the voxel models, or null when there are none.</summary>
    public CiftiVolume? Volume { get; }

    /// <summary>The brain model grayordinate <paramref name="index"/> belongs to.</summary>
    public BrainModel ModelOf(int index)
    {
        foreach (var m in Models) if (index >= m.Offset && index < m.Offset + m.Count) return m;
        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>The grayordinate of vertex <paramref name="vertex"/> of surface <paramref name="structure"/>, or -1.</summary>
    public int IndexOfVertex(string structure, int vertex)
    {
        var index = _vertexIndex ??= BuildVertexIndex();
        return index.TryGetValue(structure, out var map) && vertex >= 0 && vertex < map.Length ? map[vertex] : -1;
    }

    /// <summary>The grayordinate of voxel (i, j, k) of <see cref="Volume"/>, or -1 (voxels are matched by position in the
    /// volume, whatever structure names them, as Workbench does).</summary>
    public int IndexOfVoxel(int i, int j, int k)
    {
        if (Volume is null) return -1;
        var d = Volume.Dimensions;
        if (i < 0 || j < 0 || k < 0 || i >= d[0] || j >= d[1] || k >= d[2]) return -1;
        var index = _voxelIndex ??= BuildVoxelIndex();
        return index.TryGetValue(Volume.Linear(i, j, k), out var g) ? g : -1;
    }

    /// <summary>Whether <paramref name="other"/> has the same grayordinates in the same order (structures, vertices,
    /// voxels and volume): files with the same layout (every fMRIPrep 91k run) share one fitted parcellation.</summary>
    public bool SameGrayordinates(BrainModelAxis other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (Length != other.Length || Models.Count != other.Models.Count) return false;
        if ((Volume is null) != (other.Volume is null) || (Volume is not null && !Volume.SameSpace(other.Volume!))) return false;
        for (int m = 0; m < Models.Count; m++)
        {
            BrainModel a = Models[m], b = other.Models[m];
            if (a.Structure != b.Structure || a.ModelType != b.ModelType || a.Offset != b.Offset || a.Count != b.Count ||
                a.SurfaceVertexCount != b.SurfaceVertexCount || !a.Vertices.AsSpan().SequenceEqual(b.Vertices) || !a.Voxels.AsSpan().SequenceEqual(b.Voxels))
                return false;
        }
        return true;
    }

    /// <summary>One line: <c>91282 grayordinates: CORTEX_LEFT 29696 of 32492 vertices, CORTEX_RIGHT 29716 of 32492
    /// vertices, 31870 voxels in 19 structures (91×109×91 at 2 mm)</c>.</summary>
    public string Describe()
    {
        var parts = Models.Where(m => m.ModelType == BrainModelType.Surface)
            .Select(m => $"{CiftiStructures.ShortName(m.Structure)} {m.Count} of {m.SurfaceVertexCount} vertices").ToList();
        var voxelModels = Models.Where(m => m.ModelType == BrainModelType.Voxels).ToList();
        if (voxelModels.Count > 0)
            parts.Add($"{voxelModels.Sum(m => m.Count)} voxels in {voxelModels.Select(m => m.Structure).Distinct().Count()} structure{(voxelModels.Count == 1 ? "" : "s")} ({Volume!.Describe()})");
        return $"{Length} grayordinates: {string.Join(", ", parts)}";
    }

    /// <summary>The number of vertices of surface <paramref name="structure"/>, or null when the axis has no such surface.</summary>
    public int? SurfaceVertexCount(string structure) =>
        Models.FirstOrDefault(m => m.ModelType == BrainModelType.Surface && m.Structure == structure)?.SurfaceVertexCount;

    private Dictionary<string, int[]> BuildVertexIndex()
    {
        var d = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var m in Models)
        {
            if (m.ModelType != BrainModelType.Surface) continue;
            if (!d.TryGetValue(m.Structure, out var map))
            {
                map = new int[m.SurfaceVertexCount];
                Array.Fill(map, -1);
                d[m.Structure] = map;
            }
            for (int v = 0; v < m.Count; v++) map[m.Vertices[v]] = m.Offset + v;
        }
        return d;
    }

    private Dictionary<int, int> BuildVoxelIndex()
    {
        var d = new Dictionary<int, int>();
        foreach (var m in Models)
        {
            if (m.ModelType != BrainModelType.Voxels) continue;
            for (int v = 0; v < m.Count; v++) d[Volume!.Linear(m.Voxels[3 * v], m.Voxels[3 * v + 1], m.Voxels[3 * v + 2])] = m.Offset + v;
        }
        return d;
    }
}

/// <summary>One parcel: a name, its vertices on each surface and its voxels.</summary>
/// <param name="Name">The parcel name.</param>
/// <param name="Vertices">Per surface structure (in the order written), the parcel's vertices.</param>
/// <param name="Voxels">The parcel's voxels as i, j, k triples (empty when none).</param>
public sealed record CiftiParcel(string Name, IReadOnlyList<KeyValuePair<string, int[]>> Vertices, int[] Voxels)
{
    /// <summary>Vertices and voxels together.</summary>
    public int GrayordinateCount => Vertices.Sum(v => v.Value.Length) + Voxels.Length / 3;
}

/// <summary>The surfaces a parcels axis refers to, with their vertex counts (the XML's <c>Surface</c> elements).</summary>
/// <param name="Structure">The surface structure.</param>
/// <param name="VertexCount"><c>SurfaceNumberOfVertices</c>.</param>
public sealed record CiftiSurface(string Structure, int VertexCount);

/// <summary>Parcels (nibabel's <c>ParcelsAxis</c>): named sets of vertices and voxels, one per index.</summary>
public sealed class ParcelsAxis(IReadOnlyList<CiftiSurface> surfaces, CiftiVolume? volume, IReadOnlyList<CiftiParcel> parcels) : CiftiAxis
{
    /// <inheritdoc />
    public override CiftiIndexType Kind => CiftiIndexType.Parcels;
    /// <inheritdoc />
    public override int Length => Parcels.Count;
    /// <summary>The surfaces the parcels' vertices are on.</summary>
    public IReadOnlyList<CiftiSurface> Surfaces { get; } = surfaces;
    /// <summary>The volume of the parcels' voxels, or null.</summary>
    public CiftiVolume? Volume { get; } = volume;
    /// <summary>The parcels in matrix order.</summary>
    public IReadOnlyList<CiftiParcel> Parcels { get; } = parcels;

    /// <summary>Whether <paramref name="other"/> has the same parcels (names, vertices, voxels, in order) on the same
    /// surfaces and volume: two parcellated files that can share one parcels axis.</summary>
    public bool SameParcels(ParcelsAxis other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (Parcels.Count != other.Parcels.Count || !Surfaces.SequenceEqual(other.Surfaces)) return false;
        if ((Volume is null) != (other.Volume is null) || (Volume is not null && !Volume.SameSpace(other.Volume!))) return false;
        for (int p = 0; p < Parcels.Count; p++)
        {
            CiftiParcel a = Parcels[p], b = other.Parcels[p];
            if (a.Name != b.Name || a.Vertices.Count != b.Vertices.Count || !a.Voxels.AsSpan().SequenceEqual(b.Voxels)) return false;
            for (int s = 0; s < a.Vertices.Count; s++)
                if (a.Vertices[s].Key != b.Vertices[s].Key || !a.Vertices[s].Value.AsSpan().SequenceEqual(b.Vertices[s].Value)) return false;
        }
        return true;
    }
}

/// <summary>Evenly spaced points (nibabel's <c>SeriesAxis</c>): point <c>i</c> is at
/// (<see cref="Start"/> + i·<see cref="Step"/>)·10^<see cref="Exponent"/> <see cref="Unit"/>.</summary>
/// <param name="Count"><c>NumberOfSeriesPoints</c>.</param>
/// <param name="Start"><c>SeriesStart</c>.</param>
/// <param name="Step"><c>SeriesStep</c>.</param>
/// <param name="Unit"><c>SeriesUnit</c>: <c>SECOND</c>, <c>HERTZ</c>, <c>METER</c> or <c>RADIAN</c>.</param>
/// <param name="Exponent"><c>SeriesExponent</c> (0 unless the file says otherwise).</param>
public sealed class SeriesAxis(int Count, double Start, double Step, string Unit = "SECOND", int Exponent = 0) : CiftiAxis
{
    /// <summary>The units the standard allows.</summary>
    public static IReadOnlyList<string> Units { get; } = ["SECOND", "HERTZ", "METER", "RADIAN"];

    /// <inheritdoc />
    public override CiftiIndexType Kind => CiftiIndexType.Series;
    /// <inheritdoc />
    public override int Length => Count;
    /// <summary><c>NumberOfSeriesPoints</c>.</summary>
    public int Count { get; } = Count;
    /// <summary><c>SeriesStart</c> as stored.</summary>
    public double Start { get; } = Start;
    /// <summary><c>SeriesStep</c> as stored.</summary>
    public double Step { get; } = Step;
    /// <summary><c>SeriesUnit</c>.</summary>
    public string Unit { get; } = Unit;
    /// <summary><c>SeriesExponent</c>.</summary>
    public int Exponent { get; } = Exponent;

    /// <summary>The step in <see cref="Unit"/> (the exponent applied): the repetition time of a dense time series in seconds.</summary>
    public double StepValue => Step * Math.Pow(10, Exponent);

    /// <summary>The start in <see cref="Unit"/> (the exponent applied).</summary>
    public double StartValue => Start * Math.Pow(10, Exponent);
}

/// <summary>A named map of a scalars or labels axis, with its metadata and (labels) its label table.</summary>
/// <param name="Name"><c>MapName</c>.</param>
/// <param name="Metadata">The map's <c>MetaData</c> (name, value), in order.</param>
/// <param name="LabelTable">The label table of a labels map (key, name, colour), ordered as in the file; null for scalars.</param>
public sealed record CiftiNamedMap(string Name, IReadOnlyList<KeyValuePair<string, string>> Metadata, IReadOnlyList<CiftiLabel>? LabelTable = null);

/// <summary>One label of a label table: its key in the data, its name and its colour (0–1 per channel).</summary>
public sealed record CiftiLabel(int Key, string Name, double Red, double Green, double Blue, double Alpha);

/// <summary>Named maps (nibabel's <c>ScalarAxis</c>), e.g. the maps of a <c>.dscalar.nii</c>.</summary>
public sealed class ScalarAxis(IReadOnlyList<CiftiNamedMap> maps) : CiftiAxis
{
    /// <inheritdoc />
    public override CiftiIndexType Kind => CiftiIndexType.Scalars;
    /// <inheritdoc />
    public override int Length => Maps.Count;
    /// <summary>The maps in matrix order.</summary>
    public IReadOnlyList<CiftiNamedMap> Maps { get; } = maps;
}

/// <summary>Label maps (nibabel's <c>LabelAxis</c>), e.g. the parcellations of a <c>.dlabel.nii</c>, each with its label table.</summary>
public sealed class LabelAxis : CiftiAxis
{
    /// <summary>An axis of label maps; each must have a label table.</summary>
    public LabelAxis(IReadOnlyList<CiftiNamedMap> maps)
    {
        if (maps.Any(m => m.LabelTable is null)) throw new ArgumentException("every label map needs a label table");
        Maps = maps;
    }

    /// <inheritdoc />
    public override CiftiIndexType Kind => CiftiIndexType.Labels;
    /// <inheritdoc />
    public override int Length => Maps.Count;
    /// <summary>The maps in matrix order.</summary>
    public IReadOnlyList<CiftiNamedMap> Maps { get; }
}
