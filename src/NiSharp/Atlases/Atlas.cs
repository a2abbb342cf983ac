using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>
/// A label atlas: an int label image (0 = background), the names, networks and colours of its labels, and where it came
/// from (its <see cref="AtlasSource"/>: origin, template space, content hash).
/// <c>Atlas.Load("yeo7")</c> gives a bundled atlas; <c>Atlas.Load("my_atlas.nii.gz", "labels.tsv")</c> a user's;
/// <c>AtlasResolver.Resolve(spec, target).LoadLabels()</c> one from a TemplateFlow home or a BIDS-Atlas dataset.
/// </summary>
public sealed class Atlas
{
    // What the value counts give: every value with its voxel count, the labels present and the checked label table.
    private sealed record Counted(int[] Values, long[] Counts, int[] Present, LabelTable Labels);

    private readonly object _gate = new();
    private Counted? _counted;
    private readonly Lazy<Image<int>> _image;
    private readonly string? _file;
    private readonly NiftiHeader? _header;
    private readonly LabelTable? _table;
    private int _fileReads;
    // The labels on the data grids asked for lately: every run of a participant level on one grid shares one sample
    // (one read of a cold atlas per process, none of the disk cache per run); a few grids, so memory stays bounded.
    private readonly Maskers.GridFits<Image<int>> _onGrids;
    private const int GridsKept = 4;

    /// <summary>The bundled name, or the file name.</summary>
    public string Name { get; }

    /// <summary>The label image (3D, int32).</summary>
    /// <remarks>An atlas loaded from a file reads its image whole only when this is asked (a plot, centroids): fitting a
    /// masker streams the file instead (<see cref="LabelsOn"/>).</remarks>
    public Image<int> Image => _image.Value;

    /// <summary>The names of the labels.</summary>
    /// <remarks>An atlas from a file checks its labels (some, not too many, each named by the table) once its voxels are
    /// counted: on the first of this, <see cref="LabelsPresent"/> or <see cref="LabelsOn"/>, whose read counts them.</remarks>
    public LabelTable Labels => Count().Labels;

    /// <summary>The catalogue entry of a bundled atlas (licence, space), null for a user's file.</summary>
    public AtlasInfo? Info { get; }

    /// <summary>The image file, for messages.</summary>
    public string? ImageSource { get; }

    /// <summary>Where the atlas was resolved from, or null for one built from an image in memory.</summary>
    public AtlasSource? Source { get; }

    /// <summary>The template space (TemplateFlow identifier), or null when unknown.</summary>
    public string? Space => Source?.Space ?? Info?.Template;

    /// <summary>The grid of the label image.</summary>
    public Grid Grid { get; }

    /// <summary>How many times the atlas file was streamed (counted, or sampled onto a grid) by this atlas: tests hold a cold
    /// fit to one read.</summary>
    internal int FileReads => Volatile.Read(ref _fileReads);

    // An atlas in memory: its labels are known (and were checked by whoever built it).
    private Atlas(string name, Image<int> image, LabelTable labels, AtlasInfo? info, string? imageSource, AtlasSource? source = null,
        (int[] Values, long[] Counts)? valueCounts = null)
    {
        Name = name; _image = new Lazy<Image<int>>(image); Grid = Grid.Of(image); Info = info; ImageSource = imageSource; Source = source;
        _onGrids = new(Sample, GridsKept);
        var (values, counts) = valueCounts ?? StreamedNearest.CountValues(image.Data);
        _counted = new Counted(values, counts, values.Where(v => v != 0).ToArray(), labels);
    }

    // An atlas whose image stays in its file until asked. Its value counts come from the cache or the first read of the
    // file — best the one that samples it onto a data grid (LabelsOn), so that a fit reads it once.
    private Atlas(string name, string file, Grid grid, NiftiHeader header, LabelTable? table, AtlasInfo? info, string? imageSource, AtlasSource source)
    {
        Name = name; _file = file; _image = new Lazy<Image<int>>(() => LoadWhole(file)); Grid = grid; _header = header;
        _table = table; Info = info; ImageSource = imageSource; Source = source;
        _onGrids = new(Sample, GridsKept);
    }

    // The image read whole (a plot, relabelling) is checked before it is used, counted in memory if nothing has counted it.
    private Image<int> LoadWhole(string file)
    {
        var image = Regions.LoadLabelImage(file);
        Interlocked.Increment(ref _fileReads);
        if (Volatile.Read(ref _counted) is null)
        {
            var (values, counts) = StreamedNearest.CountValues(image.Data);
            Learn(values, counts);
        }
        return image;
    }

    /// <summary>Every value of the label image (0 included when present), ascending, with its voxel count on the atlas's grid.</summary>
    internal (int[] Values, long[] Counts) ValueCounts
    {
        get
        {
            var c = Count();
            return (c.Values, c.Counts);
        }
    }

    // The counts, from a streamed read of their own when nothing has counted the voxels yet (or the cache).
    private Counted Count()
    {
        if (Volatile.Read(ref _counted) is { } known) return known;
        lock (_gate)
        {
            if (_counted is { } counted) return counted; // another thread counted them meanwhile
            string? key = FittedAtlasCache.Enabled && Source is not null ? FittedAtlasCache.CountsKey(Source.Fingerprint) : null;
            if (key is not null && FittedAtlasCache.Read(key) is { } cached) return Learn(cached.Values, cached.Counts);
            var scan = StreamedNearest.Sample(_file!, null);
            Interlocked.Increment(ref _fileReads);
            var learnt = Learn(scan.Values, scan.Counts);
            if (key is not null) FittedAtlasCache.Write(key, scan.Values, scan.Counts, null);
            return learnt;
        }
    }

    // Takes the value counts of the file (the first time) and runs the checks that need them: the one-line errors of a bad atlas.
    private Counted Learn(int[] values, long[] counts)
    {
        if (Volatile.Read(ref _counted) is { } known) return known;
        var present = values.Where(v => v != 0).ToArray();
        var counted = new Counted(values, counts, present, Validated(present, _table, Name, ImageSource));
        return Interlocked.CompareExchange(ref _counted, counted, null) ?? counted;
    }

    /// <summary>
    /// The label image on <paramref name="grid"/> (nearest; the image itself when the grids are the same): streamed from the
    /// atlas file when the image was never read whole, else resampled in memory — the same voxels either way. The streamed
    /// read also counts the atlas's voxels when nothing has yet (so a bad atlas fails here, with the error it gives when loaded).
    /// Computed once per grid (threads asking for the same grid wait for the one read) and shared: do not modify it.
    /// </summary>
    public Image<int> LabelsOn(Grid grid) => _onGrids.For(grid);

    private Image<int> Sample(Grid grid)
    {
        if (_file is not null && !_image.IsValueCreated)
        {
            // The disk cache holds what streaming gives (FittedAtlasCache): the same voxels without reading the atlas.
            string? key = FittedAtlasCache.Enabled && Source is not null ? FittedAtlasCache.GridKey(Source.Fingerprint, grid) : null;
            if (key is not null && FittedAtlasCache.Read(key) is { Labels: { } cached } entry && cached.Length == grid.VoxelCount)
            {
                Learn(entry.Values, entry.Counts);
                bool same = Grid.SameFieldOfView(grid);
                return new Image<int>(same ? Grid.Shape : grid.Shape, same ? Grid.Affine : grid.Affine, cached, _header);
            }
            bool counting = Volatile.Read(ref _counted) is null;
            var sample = StreamedNearest.Sample(_file, grid);
            Interlocked.Increment(ref _fileReads);
            Learn(sample.Values, sample.Counts);
            if (key is not null)
            {
                FittedAtlasCache.Write(key, sample.Values, sample.Counts, sample.OnTarget!.Data);
                if (counting) FittedAtlasCache.Write(FittedAtlasCache.CountsKey(Source!.Fingerprint), sample.Values, sample.Counts, null);
            }
            return sample.OnTarget!;
        }
        return Grid.SameFieldOfView(grid) ? Image : Resampling.ResampleToGrid(Image, grid, Interpolation.Nearest, clip: true);
    }

    /// <summary>The non-zero labels that have voxels, ascending.</summary>
    public IReadOnlyList<int> LabelsPresent => Count().Present;

    /// <summary>
    /// Labels the table names that have no voxel in the image. Not an error (they make no region, as in nilearn,
    /// where such names are simply unused), but worth a warning: the table may belong to another version of the atlas.
    /// </summary>
    public IReadOnlyList<int> LabelsAbsent
    {
        get
        {
            var present = new HashSet<int>(LabelsPresent);
            return Labels.Regions.Select(l => l.Id).Where(id => !present.Contains(id)).ToArray();
        }
    }

    /// <summary>A one-line warning naming the label table and the labels it names that the image lacks; null when none.</summary>
    public string? AbsentLabelsWarning()
    {
        var absent = LabelsAbsent;
        if (absent.Count == 0 || Labels.Source is null) return null;
        string list = string.Join(", ", absent.Take(20)) + (absent.Count > 20 ? $", … ({absent.Count} in all)" : "");
        return $"{Labels.Source}: names label{(absent.Count == 1 ? "" : "s")} {list} that {ImageSource ?? Name} does not contain; they are ignored";
    }

    /// <summary>
    /// An atlas from an image and a label table (every label of the image must be named; extra names are kept).
    /// Without a table the labels are called <c>label_N</c>.
    /// </summary>
    public static Atlas FromImage(Image<int> image, LabelTable? labels = null, string name = "atlas", string? imageSource = null, AtlasInfo? info = null) =>
        FromImage(image, labels, name, imageSource, info, null);

    /// <summary>
    /// The label keys and table of a grayordinate atlas as an atlas, for what describes an atlas by its name, source and
    /// regions (provenance, output names, region lists): its "image" is the keys of the grayordinates in a row, not a
    /// voxel grid — the grayordinate masker parcellates with <paramref name="grayordinates"/> itself.
    /// </summary>
    internal static Atlas OfGrayordinates(GrayordinateAtlas grayordinates, AtlasSource source)
    {
        var keys = grayordinates.Keys;
        var image = new Image<int>([keys.Length, 1, 1], Affine.Identity, (int[])keys.Clone());
        var present = grayordinates.KeysPresent;
        var labels = new LabelTable(present.Select(k => grayordinates.Labels[k] ?? new AtlasLabel(k, Maskers.LabelsMasker.DefaultName(k))), grayordinates.Source);
        return FromImage(image, labels, grayordinates.Name, grayordinates.Source, null, source);
    }

    private static Atlas FromImage(Image<int> image, LabelTable? labels, string name, string? imageSource, AtlasInfo? info, AtlasSource? source)
    {
        var img = image;
        if (img.NDim > 3) img = Regions.ToLabelImage(img, imageSource);
        var valueCounts = StreamedNearest.CountValues(img.Data);
        labels = Validated(valueCounts.Values.Where(v => v != 0).ToArray(), labels, name, imageSource);
        return new Atlas(name, img, labels, info, imageSource, source, valueCounts);
    }

    /// <summary>The checks of every atlas on its labels present: some, not too many, all named by the table (<c>label_N</c> without one).</summary>
    private static LabelTable Validated(int[] present, LabelTable? labels, string name, string? imageSource)
    {
        if (present.Length == 0)
            throw new NiSharpException(imageSource ?? name, "the atlas has no labels: every voxel is 0 (background)");
        if (present.Length > LabelTable.MaxLabels)
            throw new NiSharpException(imageSource ?? name, $"the atlas has {present.Length} labels; an atlas may have at most {LabelTable.MaxLabels} regions (each is a row and a column of every connectivity matrix)");
        labels ??= LabelTable.Generic(present);
        labels.CheckCovers(present, imageSource ?? name);
        return labels;
    }

    /// <summary>
    /// A bundled atlas by name (<c>yeo7</c>, <c>yeo7-thick</c>, <c>yeo17</c>, <c>yeo17-thick</c>, <c>yeo7-relabeled</c>,
    /// <c>schaefer100-7</c>, <c>schaefer100-17</c>, <c>schaefer400-7</c>, <c>aal</c>, <c>harvard-oxford</c>,
    /// <c>harvard-oxford-sub</c>) or a NIfTI label image (with the BIDS <c>dseg.tsv</c> beside a <c>_dseg</c> image), with an
    /// optional label file (BIDS <c>dseg.tsv</c>, LUT, TXT or CSV) that replaces the atlas's names. See
    /// <see cref="AtlasResolver"/> for TemplateFlow and BIDS-Atlas datasets.
    /// </summary>
    public static Atlas Load(string nameOrPath, string? labelsPath = null) =>
        AtlasResolver.Resolve(new AtlasSpec { Atlas = nameOrPath, Labels = labelsPath }).LoadLabels();

    /// <summary>The label atlas of a resolved <paramref name="source"/> (<see cref="AtlasSource.LoadLabels"/>).</summary>
    internal static Atlas FromSource(AtlasSource source)
    {
        // The header gives the grid; the voxels are read when first needed — fitting a masker reads them once, onto the data
        // grid, and counts them on the way (or the cache knows both). The checks that need the counts wait for them, always
        // (whatever the cache holds, a bad atlas fails at the same step).
        var path = source.ImagePath;
        Grid grid;
        NiftiHeader header;
        using (var f = NiftiFile.Open(path)) (grid, header) = (Regions.LabelImageGrid(f, path), f.Header);
        LabelTable? labels = source.LabelsPath is not null ? LabelTable.Read(source.LabelsPath)
            : source.Info is { } info ? (info.LabelsFile is not null ? BundledLabels(info) : RelabeledYeoLabels(() => Regions.LoadLabelImage(path)))
            : null;
        // A bundled atlas is named by its catalogue name in messages, not by where the cache happens to hold it.
        string who = source.Info is null ? path : source.Name;
        return new Atlas(source.Name, path, grid, header, labels, source.Info, who, source);
    }

    /// <summary>nilearn's <c>datasets.fetch_atlas_yeo_2011()</c>: the bundled Yeo 2011 atlases under nilearn's keys.</summary>
    public static Yeo2011Atlases FetchYeo2011() => new();

    /// <summary>The label table of a bundled atlas, with Yeo network names added to the Yeo LUTs.</summary>
    public static LabelTable BundledLabels(AtlasInfo info)
    {
        if (info.LabelsFile is null) return RelabeledYeoLabels(() => Regions.LoadLabelImage(BundledData.PathOf(info.ImageFile)));
        var table = LabelTable.Parse(BundledData.ReadLines(info.LabelsFile), info.LabelsFile);
        if (info.Name.StartsWith("yeo7", StringComparison.Ordinal)) return WithYeoNetworks(table, AtlasCatalog.Yeo7Networks);
        if (info.Name.StartsWith("yeo17", StringComparison.Ordinal)) return WithYeoNetworks(table, AtlasCatalog.Yeo17Networks);
        return table;
    }

    private static LabelTable WithYeoNetworks(LabelTable t, IReadOnlyList<string> names) =>
        t.With(l => l.Id >= 1 && l.Id <= names.Count ? l with { Network = names[l.Id - 1] } : l);

    /// <summary>
    /// The relabelled Yeo atlas ships without names: each region is <c>label_N</c>, and its network is the
    /// Yeo 7-network label its voxels have in <c>yeo7-thick</c> (from which it was split; the majority if ever mixed).
    /// Computed once and kept in the data cache.
    /// </summary>
    private static LabelTable RelabeledYeoLabels(Func<Image<int>> loadRelabeled)
    {
        const string Cached = "derived/yeo7-relabeled.labels.tsv";
        if (BundledData.FindCached(Cached) is string cached)
        {
            // Derived data, not an input of the command: a damaged copy is recomputed and replaced.
            try { return LabelTable.Parse(IO.InputFile.ReadLines(cached, "a label table", asInput: false).ToList(), cached); }
            catch (NiSharpException) { /* recompute */ }
        }
        var relabeled = loadRelabeled();
        var thickInfo = AtlasCatalog.Find("yeo7-thick")!;
        var thick = Regions.LoadLabelImage(BundledData.PathOf(thickInfo.ImageFile));
        var yeo = BundledLabels(thickInfo);
        if (thick.Data.Length != relabeled.Data.Length)
            throw new InvalidOperationException("the bundled Yeo atlases do not share a grid");
        var counts = new Dictionary<int, int[]>();
        for (int i = 0; i < relabeled.Data.Length; i++)
        {
            int r = relabeled.Data[i];
            if (r == 0) continue;
            if (!counts.TryGetValue(r, out var c)) counts[r] = c = new int[8];
            int y = thick.Data[i];
            if (y >= 0 && y < 8) c[y]++;
        }
        var labels = new List<AtlasLabel>();
        foreach (var (r, c) in counts.OrderBy(kv => kv.Key))
        {
            int best = 1;
            for (int y = 2; y < 8; y++) if (c[y] > c[best]) best = y;
            var net = c[best] > 0 ? yeo[best] : null;
            labels.Add(new AtlasLabel(r, $"label_{r}", net?.Network, net?.Colour));
        }
        var table = new LabelTable(labels);
        try { BundledData.WriteCached(Cached, s => s.Write(System.Text.Encoding.UTF8.GetBytes(table.ToTsv()))); }
        catch (NiSharpException) { } // no writable cache: computed again next time
        return table;
    }

    /// <summary>
    /// nilearn <c>connected_label_regions</c> on this atlas: labels split into connected parts, each part keeping
    /// its label's name, network and colour.
    /// </summary>
    public Atlas ConnectedLabelRegions(double? minSize = null, bool connectDiagonal = true)
    {
        var r = Regions.ConnectedLabelRegions(Image, minSize, connectDiagonal);
        var labels = new List<AtlasLabel>();
        for (int k = 0; k < r.Count; k++)
        {
            var src = Labels[r.SourceLabels[k]] ?? new AtlasLabel(r.SourceLabels[k], $"label_{r.SourceLabels[k]}");
            labels.Add(src with { Id = k + 1 });
        }
        return new Atlas(Name + "-connected", r.Image, new LabelTable(labels), null, ImageSource);
    }

    /// <summary>The atlas on another grid with nearest-neighbour interpolation (labels stay labels).</summary>
    public Atlas ResampleTo(Grid target)
    {
        return new Atlas(Name, LabelsOn(target), Labels, Info, ImageSource, Source);
    }

    /// <summary>Writes the label image (int32) and, if asked, the label table as TSV.</summary>
    public void Save(string imagePath, string? labelsTsvPath = null)
    {
        Image.Save(imagePath);
        if (labelsTsvPath is not null) Labels.WriteTsv(labelsTsvPath);
    }
}
