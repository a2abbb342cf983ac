using System.Globalization;
using NiSharp.Atlases;
using NiSharp.Cifti;
using NiSharp.Confounds;

namespace NiSharp.Maskers;

/// <summary>
/// The parameters of <see cref="GrayordinateLabelsMasker"/>: the label map (<see cref="GrayordinateAtlas"/>), the
/// reduction of each parcel (the labels masker's strategies; Workbench's <c>-method</c>), XCP-D's coverage threshold,
/// and the cleaning every masker shares (<see cref="MaskerOptions"/>). All checks live in <see cref="Validate"/>.
/// </summary>
public sealed record GrayordinateLabelsMaskerOptions : MaskerOptions
{
    /// <summary>The label map whose keys are the parcels.</summary>
    public required GrayordinateAtlas Atlas { get; init; }

    /// <summary>How a parcel's grayordinates become one value per time point (default mean, Workbench's MEAN).</summary>
    public ReductionStrategy Strategy { get; init; } = ReductionStrategy.Mean;

    /// <summary>XCP-D's <c>min_coverage</c>: a parcel whose grayordinates in the data are fewer than this fraction of its
    /// grayordinates in the atlas is treated as empty (default 0: only parcels the data miss entirely).</summary>
    public double MinCoverage { get; init; }

    /// <summary>Checks every parameter; throws <see cref="NiSharpException"/> naming the bad value.</summary>
    public GrayordinateLabelsMaskerOptions Validate()
    {
        if (Atlas is null) throw new NiSharpException("atlas: a grayordinate label map is required");
        if (!(MinCoverage >= 0 && MinCoverage <= 1))
            throw new NiSharpException($"min_coverage must be a fraction between 0 and 1, got {F(MinCoverage)}");
        if (!Enum.IsDefined(Strategy)) throw new NiSharpException($"unknown strategy {Strategy}");
        if (Smooths)
            throw new NiSharpException("smoothing_fwhm smooths a voxel grid; grayordinates are smoothed on the surfaces (wb_command -cifti-smoothing) before extraction");
        ValidateCleaning();
        return this;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> ToParameters()
    {
        var d = base.ToParameters();
        d.Remove("resampling_target"); // grayordinates are matched, never resampled
        d["masker"] = "GrayordinateLabelsMasker";
        d["labels_img"] = Atlas.Info is null ? Atlas.Source : Atlas.Name;
        d["atlas_map"] = Atlas.Map;
        d["atlas_map_name"] = Atlas.MapName;
        d["background_label"] = 0;
        d["strategy"] = LabelsMaskerOptions.Name(Strategy);
        d["min_coverage"] = MinCoverage;
        d["grayordinate_matching"] = "surface vertices by structure and vertex index, voxels by IJK (wb_command -cifti-parcellate)";
        d["ensure_finite"] = "data: NaN and inf read as 0";
        return d;
    }
}

/// <summary>
/// The grayordinate masker fitted to one data layout: which parcel each data grayordinate belongs to, the coverage of
/// every parcel and the reduction index. Immutable; shared by every run with the same grayordinates.
/// </summary>
public sealed class FittedGrayordinates
{
    internal FittedGrayordinates(BrainModelAxis data, int[] keys, IReadOnlyList<RegionCoverage> coverage, RegionVoxelIndex index)
    {
        Data = data; KeyOfGrayordinate = keys; Coverage = coverage; Index = index;
    }

    /// <summary>The data's grayordinates.</summary>
    public BrainModelAxis Data { get; }

    /// <summary>The atlas key of each data grayordinate (0 where the atlas has none).</summary>
    public int[] KeyOfGrayordinate { get; }

    /// <summary>Every parcel of the atlas (keys some atlas grayordinate carries, ascending) with its coverage.</summary>
    public IReadOnlyList<RegionCoverage> Coverage { get; }

    internal RegionVoxelIndex Index { get; }

    /// <summary>
    /// The parcels axis of output columns <paramref name="columns"/> named <paramref name="names"/>: each parcel lists the
    /// data grayordinates that carry its key (vertices per surface in the data's order, then voxels), as Workbench's
    /// <c>-cifti-parcellate</c> writes them; an empty parcel lists none.
    /// </summary>
    public ParcelsAxis ParcelsFor(IReadOnlyList<RegionCoverage> columns, IReadOnlyList<string> names)
    {
        var slot = new Dictionary<int, int>();
        for (int j = 0; j < columns.Count; j++) slot.TryAdd(columns[j].Id, j);
        var vertices = columns.Select(_ => new List<KeyValuePair<string, List<int>>>()).ToArray();
        var voxels = columns.Select(_ => new List<int>()).ToArray();
        foreach (var m in Data.Models)
        {
            for (int i = 0; i < m.Count; i++)
            {
                if (!slot.TryGetValue(KeyOfGrayordinate[m.Offset + i], out int j)) continue;
                if (m.ModelType == BrainModelType.Surface)
                {
                    var list = vertices[j];
                    if (list.Count == 0 || list[^1].Key != m.Structure) list.Add(new(m.Structure, []));
                    list[^1].Value.Add(m.Vertices[i]);
                }
                else voxels[j].AddRange(m.Voxels.AsSpan(3 * i, 3));
            }
        }
        var surfaces = Data.Models.Where(m => m.ModelType == BrainModelType.Surface)
            .Select(m => new CiftiSurface(m.Structure, m.SurfaceVertexCount)).DistinctBy(s => s.Structure).ToArray();
        var parcels = columns.Select((c, j) => new CiftiParcel(names[j],
            vertices[j].Select(v => new KeyValuePair<string, int[]>(v.Key, v.Value.ToArray())).ToArray(), voxels[j].ToArray())).ToArray();
        return new ParcelsAxis(surfaces, voxels.Any(v => v.Count > 0) ? Data.Volume : null, parcels);
    }
}

/// <summary>
/// What the grayordinate masker returns: the region signals (cleaned, one column per parcel, as every masker returns
/// them) and the same signals as a parcellated time series (<c>.ptseries.nii</c>): the parcels axis and the series axis
/// of the kept time points.
/// </summary>
public sealed class GrayordinateSignals
{
    internal GrayordinateSignals(RegionSignals signals, ParcelsAxis parcels, SeriesAxis series, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        Signals = signals; Parcels = parcels; Series = series; Metadata = metadata;
    }

    /// <summary>The cleaned parcel signals (kept time points × parcels), their regions, coverage and parameters.</summary>
    public RegionSignals Signals { get; }

    /// <summary>One parcel per column of <see cref="Signals"/>, with the data grayordinates it covers.</summary>
    public ParcelsAxis Parcels { get; }

    /// <summary>The kept time points: the data's series axis from the first kept point, one repetition time apart.</summary>
    public SeriesAxis Series { get; }

    /// <summary>The CIFTI metadata written with the parcellated series (provenance; the kept volumes when some were censored).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>The CIFTI header of the parcellated series: series × parcels.</summary>
    public CiftiHeader Header => new([Series, Parcels], Metadata);

    /// <summary>Writes the signals as a <c>.ptseries.nii</c> (float32, atomically) that Workbench and nibabel read.</summary>
    public void WriteParcellatedSeries(string path)
    {
        var v = Signals.Values;
        var values = new float[v.Data.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)v.Data[i];
        CiftiWriter.Write<float>(path, Header, values);
    }

    /// <summary>The parcellated series beside a time-series TSV: <c>a.tsv</c> → <c>a.ptseries.nii</c>.</summary>
    public static string ParcellatedSeriesPath(string tsvPath) => CiftiKind.ParcelSeries.PathBeside(tsvPath);
}

/// <summary>
/// Parcellation of grayordinates as Connectome Workbench's <c>wb_command -cifti-parcellate … COLUMN</c> does it, with a
/// masker's cleaning: each grayordinate of a dense time series takes the label key its structure and vertex (or its
/// voxel) has in the label map — matched, never by column position, since atlas and data cover different vertices —
/// one parcel per key some atlas grayordinate carries (key 0 left out, ordered by key, named by the label), reduced
/// with the strategy (mean by default) one time point at a time; then the same <see cref="Signal.SignalCleaner"/> pass
/// as the volume maskers (confounds, filter, standardisation, censoring). Construct once and call
/// <see cref="FitTransform(string, MaskerInputs, ICollection{string}?)"/> for every run: the matching is computed once
/// per grayordinate layout. Thread-safe.
/// </summary>
/// <remarks>As the labels masker, parcels the data do not cover are kept as NaN columns by default
/// (<see cref="KeepEmpty"/>); Workbench leaves them out unless given <c>-include-empty</c>.</remarks>
public sealed class GrayordinateLabelsMasker
{
    private readonly LayoutFits<BrainModelAxis, FittedGrayordinates> _fits;

    /// <summary>The validated options.</summary>
    public GrayordinateLabelsMaskerOptions Options { get; }

    /// <summary>A masker with <paramref name="options"/> (validated now).</summary>
    public GrayordinateLabelsMasker(GrayordinateLabelsMaskerOptions options)
    {
        Options = options.Validate();
        _fits = new(FitLayout, (a, b) => a.SameGrayordinates(b));
    }

    /// <summary>A masker over <paramref name="atlas"/> with the defaults (mean, no cleaning).</summary>
    public GrayordinateLabelsMasker(GrayordinateAtlas atlas) : this(new GrayordinateLabelsMaskerOptions { Atlas = atlas }) { }

    /// <summary>The masker on the grayordinates <paramref name="data"/>: computed once per layout and cached.</summary>
    public FittedGrayordinates Fit(BrainModelAxis data) => _fits.For(data);

    private FittedGrayordinates FitLayout(BrainModelAxis data)
    {
        var atlas = Options.Atlas;
        var a = atlas.Grayordinates;
        CheckSameMeshes(data, atlas);
        var keys = new int[data.Length];
        foreach (var m in data.Models)
        {
            for (int i = 0; i < m.Count; i++)
            {
                int g = m.ModelType == BrainModelType.Surface
                    ? a.IndexOfVertex(m.Structure, m.Vertices[i])
                    : a.IndexOfVoxel(m.Voxels[3 * i], m.Voxels[3 * i + 1], m.Voxels[3 * i + 2]);
                keys[m.Offset + i] = g < 0 ? 0 : atlas.Keys[g];
            }
        }
        var present = atlas.KeysPresent;
        var slot = new Dictionary<int, int>(present.Count);
        for (int k = 0; k < present.Count; k++) slot[present[k]] = k;
        var inAtlas = new int[present.Count];
        foreach (var key in atlas.Keys) if (key != 0) inAtlas[slot[key]]++;
        var inData = new int[present.Count];
        foreach (var key in keys) if (key != 0) inData[slot[key]]++;
        if (present.Count > 0 && inData.All(c => c == 0))
            throw new NiSharpException(atlas.Source, $"none of the grayordinates of the data carries a label of map {atlas.Map} ('{atlas.MapName}'): " +
                                                     $"the atlas has {a.Describe()}, the data {data.Describe()} (another mesh or other structures?)");
        var coverage = new RegionCoverage[present.Count];
        var extracted = new List<int>();
        for (int k = 0; k < present.Count; k++)
        {
            int key = present[k];
            double fraction = RegionCoverage.Fraction(inData[k], inAtlas[k]);
            var status = inData[k] == 0 ? RegionStatus.NotOnDataGrid
                : fraction < Options.MinCoverage ? RegionStatus.BelowMinCoverage
                : RegionStatus.Extracted;
            var label = atlas.Labels[key];
            coverage[k] = new RegionCoverage(key, label?.Name ?? LabelsMasker.DefaultName(key), label?.Network, inAtlas[k], inData[k], inData[k], fraction, status);
            if (status == RegionStatus.Extracted) extracted.Add(key);
        }
        var index = new RegionVoxelIndex(keys, ReadOnlySpan<byte>.Empty, extracted, 0, Options.Strategy);
        return new FittedGrayordinates(data, keys, coverage, index);
    }

    /// <summary>Matching by vertex index only means something on the same mesh, and by IJK in the same volume: say so
    /// instead of matching the wrong vertices (Workbench refuses too).</summary>
    private static void CheckSameMeshes(BrainModelAxis data, GrayordinateAtlas atlas)
    {
        var a = atlas.Grayordinates;
        foreach (var m in data.Models.Where(m => m.ModelType == BrainModelType.Surface))
            if (a.SurfaceVertexCount(m.Structure) is int n && n != m.SurfaceVertexCount)
                throw new NiSharpException(atlas.Source, $"{CiftiStructures.ShortName(m.Structure)} has {n} vertices in the atlas but {m.SurfaceVertexCount} in the data: " +
                                                         "they are on different meshes (resample the atlas with wb_command -label-resample)");
        bool dataVoxels = data.Models.Any(m => m.ModelType == BrainModelType.Voxels), atlasVoxels = a.Models.Any(m => m.ModelType == BrainModelType.Voxels);
        if (dataVoxels && atlasVoxels && !data.Volume!.SameSpace(a.Volume!))
            throw new NiSharpException(atlas.Source, $"the atlas's voxels are on {a.Volume!.Describe()}, the data's on {data.Volume.Describe()}: " +
                                                     "their volume spaces differ (wb_command -cifti-resample)");
    }

    /// <summary>
    /// Parcellates and cleans the dense time series at <paramref name="dtseriesPath"/> with the confounds, sample mask and
    /// dummy volumes of <paramref name="inputs"/>; time points are streamed a few at a time.
    /// </summary>
    public GrayordinateSignals FitTransform(string dtseriesPath, MaskerInputs inputs, ICollection<string>? warnings = null) =>
        FitTransform(dtseriesPath, inputs, warnings, null);

    /// <summary><see cref="FitTransform(string, MaskerInputs, ICollection{string}?)"/> with an observer of the pass (the
    /// raw parcel means and grayordinate statistics of a participant run's QC).</summary>
    internal GrayordinateSignals FitTransform(string dtseriesPath, MaskerInputs inputs, ICollection<string>? warnings, IExtractionObserver? observer) =>
        FitTransformEach(dtseriesPath, [this], inputs, [warnings], observer)[0];

    /// <summary>
    /// Several maskers (atlases) on one read of the dense time series at <paramref name="dtseriesPath"/>: each time point
    /// is read once and parcellated by every masker; each result equals the one its masker gives alone.
    /// <paramref name="warnings"/> (when given) holds one entry per masker.
    /// </summary>
    public static IReadOnlyList<GrayordinateSignals> FitTransformEach(string dtseriesPath, IReadOnlyList<GrayordinateLabelsMasker> maskers, MaskerInputs inputs,
        IReadOnlyList<ICollection<string>?>? warnings = null) => FitTransformEach(dtseriesPath, maskers, inputs, warnings, null);

    /// <summary><see cref="FitTransformEach(string, IReadOnlyList{GrayordinateLabelsMasker}, MaskerInputs, IReadOnlyList{ICollection{string}?}?)"/>
    /// with an observer of the first masker's pass.</summary>
    private static IReadOnlyList<GrayordinateSignals> FitTransformEach(string dtseriesPath, IReadOnlyList<GrayordinateLabelsMasker> maskers, MaskerInputs inputs,
        IReadOnlyList<ICollection<string>?>? warnings, IExtractionObserver? observer)
    {
        using var f = CiftiFile.Open(dtseriesPath);
        var series = f.Header.Axis<SeriesAxis>(0, dtseriesPath);
        var data = f.Header.Axis<BrainModelAxis>(1, dtseriesPath);
        var fits = maskers.Select(m => m.Fit(data)).ToArray();
        var jobs = new ExtractionJob[maskers.Count];
        for (int i = 0; i < maskers.Count; i++)
        {
            var m = maskers[i];
            var parameters = m.Options.ToParameters();
            parameters["atlas"] = m.Options.Atlas.Name;
            parameters["data_grayordinates"] = data.Describe();
            parameters["atlas_grayordinates"] = m.Options.Atlas.Grayordinates.Describe();
            jobs[i] = new ExtractionJob(fits[i].Index, fits[i].Coverage, m.Options, parameters, null, warnings?[i], i == 0 ? observer : null);
        }
        var signals = RegionExtraction.Run(new GrayordinateSource(f), jobs, inputs);
        return signals.Select((s, i) => new GrayordinateSignals(s, fits[i].ParcelsFor(s.Regions, s.ColumnNames), KeptSeries(series, s),
            maskers[i].Provenance(dtseriesPath, s))).ToArray();
    }

    /// <summary><see cref="FitTransform(string, MaskerInputs, ICollection{string}?)"/> with the regressors, sample mask and
    /// dummy volumes of a confound selection (none when null).</summary>
    public GrayordinateSignals FitTransform(string dtseriesPath, ConfoundSelection? confounds = null, ICollection<string>? warnings = null) =>
        FitTransform(dtseriesPath, MaskerInputs.From(confounds), warnings);

    /// <summary>The series of the kept rows: from the first kept time point, one repetition time apart (the data's
    /// own step unless another repetition time was used).</summary>
    private static SeriesAxis KeptSeries(SeriesAxis data, RegionSignals signals)
    {
        int first = signals.KeptVolumes.Length > 0 ? signals.KeptVolumes[0] : 0;
        if (data.Unit != "SECOND" || signals.RepetitionTime is not double tr)
            return new SeriesAxis(signals.Timepoints, data.Start + first * data.Step, data.Step, data.Unit, data.Exponent);
        return new SeriesAxis(signals.Timepoints, data.StartValue + first * tr, tr, "SECOND");
    }

    private IReadOnlyList<KeyValuePair<string, string>> Provenance(string dtseriesPath, RegionSignals signals)
    {
        var ci = CultureInfo.InvariantCulture;
        var md = new List<KeyValuePair<string, string>>
        {
            new("ProgramProvenance", $"NiSharp {typeof(GrayordinateLabelsMasker).Assembly.GetName().Version}"),
            new("Provenance", $"parcellated from {Path.GetFileName(dtseriesPath)} with map {Options.Atlas.Map} ('{Options.Atlas.MapName}') of {Options.Atlas.Name}, " +
                              $"strategy {LabelsMaskerOptions.Name(Options.Strategy)}, then cleaned (see the time-series JSON sidecar)"),
        };
        // the series axis cannot say that censored time points are missing; the kept ones are listed
        if (signals.CensoredVolumes.Length > 0)
            md.Add(new("KeptVolumes", string.Join(' ', signals.KeptVolumes.Select(k => k.ToString(ci)))));
        return md;
    }
}
