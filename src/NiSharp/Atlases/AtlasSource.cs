using System.Text.Json.Nodes;
using NiSharp.Imaging;
using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>Where an atlas comes from.</summary>
public enum AtlasOrigin
{
    /// <summary>One of the atlases NiSharp ships (<see cref="AtlasCatalog"/>).</summary>
    Bundled,
    /// <summary>A file the user named.</summary>
    File,
    /// <summary>A TemplateFlow home (<c>$TEMPLATEFLOW_HOME</c>): <c>tpl-SPACE/tpl-SPACE_res-R_atlas-A[_desc-D]_dseg.nii.gz</c>.</summary>
    TemplateFlow,
    /// <summary>A BIDS-Atlas dataset (<c>--atlas-dataset</c>): <c>atlas-A/atlas-A_space-S[_res-R]_dseg.nii.gz</c>.</summary>
    BidsAtlasDataset,
}

/// <summary>What an atlas image holds, which decides the masker.</summary>
public enum AtlasKind
{
    /// <summary>A label image (BIDS <c>dseg</c>): one region per integer value (nilearn's <c>NiftiLabelsMasker</c>).</summary>
    Labels,
    /// <summary>Probabilistic maps (BIDS <c>probseg</c>), a 4D image of one map per region (nilearn's <c>NiftiMapsMasker</c>).</summary>
    Maps,
    /// <summary>A grayordinate label map (<c>.dlabel.nii</c>) for CIFTI data (<see cref="GrayordinateAtlas"/>).</summary>
    Grayordinate,
}

/// <summary>
/// An atlas resolved but not loaded: which files it is, what kind, its template space and resolution, and where it
/// came from. Resolving reads file names and headers only; <see cref="LoadLabels"/>, <see cref="LoadMaps"/> and
/// <see cref="LoadGrayordinate"/> read the image. <see cref="ContentHash"/> identifies the atlas by the bytes of its
/// files where outputs record it, <see cref="Fingerprint"/> identifies the same bytes for NiSharp's caches of what is
/// derived from them, <see cref="Describe"/> is what sidecars record.
/// </summary>
public sealed class AtlasSource
{
    private readonly Lazy<string> _imagePath;
    private readonly Lazy<string> _contentHash;
    private readonly Lazy<string> _fingerprint;

    internal AtlasSource(string name, AtlasOrigin origin, AtlasKind kind, Func<string> imagePath, string? labelsPath, string? space)
    {
        Name = name; Origin = origin; Kind = kind; LabelsPath = labelsPath; Space = TemplateSpace.Normalize(space);
        _imagePath = new Lazy<string>(imagePath);
        _contentHash = new Lazy<string>(CachedContentHash);
        _fingerprint = new Lazy<string>(() => HashContent(IO.Digest.Fast(), 32));
    }

    /// <summary>The atlas as the user named it: the bundled name, the file name, <c>templateflow:ATLAS[:DESC]</c>, a dataset's <c>NAME[:DESC]</c>.</summary>
    public string Name { get; }

    /// <summary>Where it comes from.</summary>
    public AtlasOrigin Origin { get; }

    /// <summary>What the image holds.</summary>
    public AtlasKind Kind { get; }

    /// <summary>The image on disk (a bundled atlas is written to the data cache when first asked).</summary>
    public string ImagePath => _imagePath.Value;

    /// <summary>The label table (a <c>--labels</c> file, the atlas's <c>dseg.tsv</c>, a bundled LUT written to the cache), or null:
    /// a bundled atlas's own names, or <c>label_N</c> / <c>map_N</c>.</summary>
    public string? LabelsPath { get; }

    /// <summary>The template space (TemplateFlow identifier), or null when nothing says it.</summary>
    public string? Space { get; }

    /// <summary>The <c>res-</c> label of a TemplateFlow or dataset image, or null.</summary>
    public string? Resolution { get; init; }

    /// <summary>The <c>desc-</c> label of a TemplateFlow or dataset image, or null.</summary>
    public string? Desc { get; init; }

    /// <summary>The TemplateFlow home or the dataset the atlas was found in; null for bundled atlases and files.</summary>
    public string? Root { get; init; }

    /// <summary>The atlas's JSON sidecar (BIDS-Atlas, TemplateFlow), or null.</summary>
    public string? MetadataPath { get; init; }

    /// <summary>The catalogue entry of a bundled volume atlas, else null.</summary>
    public AtlasInfo? Info { get; init; }

    /// <summary>The catalogue entry of a bundled grayordinate atlas, else null.</summary>
    public GrayordinateAtlasInfo? GrayordinateInfo { get; init; }

    /// <summary>
    /// SHA-256 (first 16 hex digits) of the image file's bytes and the label table's: the same for the same atlas wherever
    /// it lies, different when either file changes. Read once, on first use (the compressed bytes; nothing is decoded), and
    /// kept in NiSharp's cache under <see cref="Fingerprint"/>.
    /// What provenance and sidecars record of a non-bundled atlas; NiSharp's caches key on <see cref="Fingerprint"/>.
    /// </summary>
    public string ContentHash => _contentHash.Value;

    /// <summary>Starts computing <see cref="ContentHash"/> on another thread when it is not known yet, so that asking for it
    /// later (a sidecar, written once the data are read) does not wait: a cold hash is a SHA-256 of the atlas's megabytes,
    /// which a core that the pass leaves mostly idle can compute meanwhile. Asking waits for it; a failure is the asker's.</summary>
    internal void HashInBackground()
    {
        if (_contentHash.IsValueCreated) return;
        Task.Run(() => { try { _ = _contentHash.Value; } catch (Exception) { /* kept by the lazy value for the asker */ } });
    }

    /// <summary>
    /// XxHash128 (32 hex digits) of the bytes <see cref="ContentHash"/> covers: the key of the fitted-atlas cache. A
    /// separate value because a run with a bundled atlas needs no SHA-256 of its megabytes (<see cref="IO.Digest"/>); it
    /// is never written into outputs.
    /// </summary>
    internal string Fingerprint => _fingerprint.Value;

    // The content hash from the cache when the same bytes were hashed before (keyed on their fingerprint), else computed
    // and stored: every run's sidecar records it.
    private string CachedContentHash()
    {
        if (!FittedAtlasCache.Enabled) return HashContent(IO.Digest.Sha256(), 16);
        if (FittedAtlasCache.ReadContentHash(Fingerprint) is string known) return known;
        var hash = HashContent(IO.Digest.Sha256(), 16);
        FittedAtlasCache.WriteContentHash(Fingerprint, hash);
        return hash;
    }

    /// <summary>A stable identity: the name, space, resolution and content hash.</summary>
    public string Identity => $"{Name}|{Space ?? "?"}|{Resolution ?? "-"}|{ContentHash}";

    /// <summary>One phrase saying where the atlas came from, for logs and sidecars.</summary>
    public string SourceDescription => Origin switch
    {
        AtlasOrigin.Bundled => $"bundled with NiSharp ({Info?.ImageFile ?? GrayordinateInfo?.File})",
        AtlasOrigin.TemplateFlow => $"TemplateFlow home {Root}: {RelativeToRoot(ImagePath)}",
        AtlasOrigin.BidsAtlasDataset => $"BIDS-Atlas dataset {Root}: {RelativeToRoot(ImagePath)}",
        _ => ImagePath,
    };

    /// <summary>The warning when the atlas's space differs from the data's (null when the same or either unknown).</summary>
    public string? SpaceWarning(AtlasTarget target, string dataName = "the BOLD") => TemplateSpace.MismatchWarning(Name, Space, target.Space, dataName);

    /// <summary>What sidecars record of the atlas: name, origin, kind, space, resolution, files, content hash, and the
    /// dataset's own description when it has one.</summary>
    public JsonObject Describe()
    {
        var o = new JsonObject
        {
            ["Name"] = Name,
            ["Origin"] = OriginName(Origin),
            ["Kind"] = Kind switch { AtlasKind.Maps => "probseg", AtlasKind.Grayordinate => "dlabel", _ => "dseg" },
            ["Space"] = Space,
            ["Resolution"] = Resolution,
            ["Source"] = SourceDescription,
            ["Labels"] = LabelsPath is null ? (Origin == AtlasOrigin.Bundled ? "bundled" : null) : LabelsPath,
            ["ContentHash"] = ContentHash,
        };
        if (Info is not null) o["Licence"] = Info.Licence;
        if (GrayordinateInfo is not null) o["Licence"] = GrayordinateInfo.Licence;
        if (AtlasMetadata.Read(MetadataPath) is JsonObject meta) o["Metadata"] = meta;
        return o;
    }

    /// <summary>The name an origin has in sidecars.</summary>
    public static string OriginName(AtlasOrigin origin) => origin switch
    {
        AtlasOrigin.Bundled => "bundled",
        AtlasOrigin.TemplateFlow => "templateflow",
        AtlasOrigin.BidsAtlasDataset => "bids-atlas",
        _ => "file",
    };

    /// <summary>The label table: the <see cref="LabelsPath"/> file, a bundled atlas's names, or null (the image's labels get generic names).</summary>
    public LabelTable? ReadLabels()
    {
        if (LabelsPath is not null) return LabelTable.Read(LabelsPath);
        return Info is { LabelsFile: not null } ? Atlas.BundledLabels(Info) : null;
    }

    /// <summary>Loads a label atlas (<see cref="AtlasKind.Labels"/>); probabilistic maps and grayordinate atlases are refused
    /// with the masker that takes them.</summary>
    public Atlas LoadLabels()
    {
        if (Kind == AtlasKind.Grayordinate)
            throw new NiSharpException(Who, "is a grayordinate (CIFTI) atlas: it parcellates CIFTI .dtseries.nii data, not volumes");
        if (Kind == AtlasKind.Maps)
        {
            using var f = NiftiFile.Open(ImagePath);
            throw new NiSharpException(Who, $"a label image must be 3D, got shape {Image.ShapeText(f.Shape)}: a 4D image holds probabilistic maps (probseg), which a maps masker extracts (nisharp extract), not a labels masker");
        }
        return Atlas.FromSource(this);
    }

    /// <summary>Loads probabilistic maps (<see cref="AtlasKind.Maps"/>).</summary>
    public ProbabilisticAtlas LoadMaps()
    {
        if (Kind != AtlasKind.Maps) throw new NiSharpException(Who, "is not a 4D image of probabilistic maps");
        var maps = Image.Load<float>(ImagePath);
        return new ProbabilisticAtlas(this, maps, LabelsPath is null ? null : LabelTable.Read(LabelsPath));
    }

    /// <summary>Loads a grayordinate atlas (<see cref="AtlasKind.Grayordinate"/>) with label map <paramref name="map"/> (a number or a name).</summary>
    public GrayordinateAtlas LoadGrayordinate(string? map = null)
    {
        if (Kind != AtlasKind.Grayordinate) throw new NiSharpException(Who, "is a volume atlas: it parcellates NIfTI volumes, not CIFTI grayordinates");
        return GrayordinateAtlas.Load(GrayordinateInfo?.Name ?? ImagePath, map);
    }

    // Errors name a user's file as they gave it, other atlases by their name.
    private string Who => Origin == AtlasOrigin.File ? ImagePath : Name;

    private string RelativeToRoot(string path) => Root is null ? path : Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>The first <paramref name="digits"/> hex digits of <paramref name="hash"/> over the atlas's files, each followed by a separator.</summary>
    private string HashContent(IO.Digest hash, int digits)
    {
        void Add(Stream s)
        {
            hash.Append(s);
            hash.Append("\n--\n"u8);
        }
        if (Info is not null)
        {
            using (var s = BundledData.Open(Info.ImageFile)) Add(s);
            if (LabelsPath is null && Info.LabelsFile is not null) { using var l = BundledData.Open(Info.LabelsFile); Add(l); }
        }
        else if (GrayordinateInfo is not null)
        {
            using var s = BundledData.Open(GrayordinateInfo.File);
            Add(s);
        }
        else
        {
            using var s = OpenRead(ImagePath);
            Add(s);
        }
        if (LabelsPath is not null) { using var l = OpenRead(LabelsPath); Add(l); }
        return hash.Hex(digits);
    }

    private static FileStream OpenRead(string path)
    {
        // The one reading rule (regular files only, a link to nothing named) for the bytes the hash covers.
        return IO.InputFile.OpenRead(path);
    }

    /// <summary>The kind of an image file from its header alone: a CIFTI file is a grayordinate atlas, a NIfTI with more than
    /// one volume probabilistic maps, else a label image.</summary>
    internal static AtlasKind KindOfFile(string path)
    {
        var header = NiftiFile.ReadHeader(path);
        if (header.IsCifti) return AtlasKind.Grayordinate;
        using var f = NiftiFile.Open(path);
        return f.VolumeCount > 1 ? AtlasKind.Maps : AtlasKind.Labels;
    }
}

/// <summary>A probabilistic atlas (BIDS <c>probseg</c>): one map per region as the volumes of a 4D image, with names.</summary>
/// <param name="Source">Where it came from.</param>
/// <param name="Maps">The maps, one per volume; map k (0-based) is region k + 1.</param>
/// <param name="Labels">Names by region id 1..K, or null (<c>map_K</c>).</param>
public sealed record ProbabilisticAtlas(AtlasSource Source, Image<float> Maps, LabelTable? Labels);

/// <summary>The JSON sidecar of a BIDS-Atlas or TemplateFlow atlas, reduced to the fields that say what it is and how to cite it.</summary>
internal static class AtlasMetadata
{
    private static readonly string[] Keys = ["Name", "Description", "Authors", "License", "ReferencesAndLinks", "DOI", "Species", "SpatialReference"];

    /// <summary>The known string and string-array fields of <paramref name="path"/>; null when there is no file or none of them.
    /// A damaged sidecar is reported: it belongs to the atlas the user chose.</summary>
    public static JsonObject? Read(string? path)
    {
        if (path is null) return null;
        JsonNode? node;
        try { node = JsonNode.Parse(IO.InputFile.ReadJsonBytes(path, "an atlas sidecar")); }
        catch (System.Text.Json.JsonException e) { throw new NiSharpException(path, $"not valid JSON: {e.Message}", e); }
        if (node is not JsonObject o) return null;
        var kept = new JsonObject();
        foreach (var k in Keys)
        {
            if (o[k] is JsonValue v && v.TryGetValue(out string? s)) kept[k] = s;
            else if (o[k] is JsonArray a && a.All(x => x is JsonValue xv && xv.TryGetValue(out string? _)))
                kept[k] = new JsonArray(a.Select(x => (JsonNode?)x!.GetValue<string>()).ToArray());
        }
        return kept.Count == 0 ? null : kept;
    }
}
