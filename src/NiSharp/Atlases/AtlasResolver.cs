using NiSharp.Bids;

namespace NiSharp.Atlases;

/// <summary>
/// The one place an <c>--atlas</c> becomes an atlas: <see cref="Resolve"/> finds it — in a TemplateFlow home, a
/// BIDS-Atlas dataset, a file, or among the bundled atlases — and returns an <see cref="AtlasSource"/> carrying its files,
/// kind, template space and origin. Only names and headers are read; nothing is downloaded.
/// </summary>
/// <remarks>
/// Order: <c>templateflow:ATLAS[:DESC]</c>; then, when datasets are given, a <c>NAME[:DESC]</c> that one of them has
/// (<c>atlas-NAME/</c>); then an existing file; then a bundled volume or grayordinate atlas. A file's label table, when
/// none is given, is the BIDS <c>dseg.tsv</c> beside it; its space is <see cref="AtlasSpec.Space"/>, else its
/// <c>space-</c>/<c>tpl-</c> entity.
/// </remarks>
public static class AtlasResolver
{
    /// <summary>Resolves <paramref name="spec"/> for data <paramref name="target"/> (its space and voxel size choose a
    /// TemplateFlow or dataset image; a bundled atlas or a file needs neither).</summary>
    public static AtlasSource Resolve(AtlasSpec spec, AtlasTarget? target = null)
    {
        target ??= AtlasTarget.Unknown;
        var text = spec.Atlas.Trim();
        if (text.Length == 0) throw NiSharpException.InParameter("atlas", ": no atlas given");
        if (spec.Labels is not null) IO.InputFile.Check(spec.Labels);

        if (spec.IsTemplateFlow)
        {
            var (name, desc) = spec.NameAndDesc();
            var home = new TemplateFlowHome(spec.TemplateFlowDirectory);
            var image = home.Find(name, desc, spec.Space, target, text);
            return FromImageFile(image, AtlasOrigin.TemplateFlow, home.Directory, text, spec.Labels);
        }

        bool isFile = File.Exists(text);
        if (!isFile && spec.Datasets.Count > 0 && text.Split(':') is { Length: <= 2 } parts && parts.All(p => p.Length > 0 && p.All(char.IsAsciiLetterOrDigit)))
        {
            var datasets = spec.Datasets.Select(d => new BidsAtlasDataset(d)).ToList();
            var having = datasets.Where(d => d.Has(parts[0])).ToList();
            if (having.Count > 1)
                throw new NiSharpException($"atlas '{parts[0]}' is in several BIDS-Atlas datasets ({string.Join(", ", having.Select(d => d.Directory))}); give only the one to use");
            if (having.Count == 1)
            {
                var (name, desc) = spec.NameAndDesc();
                var image = having[0].Find(name, desc, spec.Space, target, text);
                return FromImageFile(image, AtlasOrigin.BidsAtlasDataset, having[0].Directory, text, spec.Labels);
            }
        }

        if (isFile) return FromFile(text, spec);

        if (AtlasCatalog.Find(text) is { } info)
        {
            RefuseSpace(spec, info.Name, info.Template);
            return new AtlasSource(info.Name, AtlasOrigin.Bundled, AtlasKind.Labels, () => BundledData.PathOf(info.ImageFile), spec.Labels, info.Template) { Info = info };
        }
        if (AtlasCatalog.FindGrayordinate(text) is { } g)
        {
            RefuseSpace(spec, g.Name, TemplateSpace.FsLR);
            return new AtlasSource(g.Name, AtlasOrigin.Bundled, AtlasKind.Grayordinate, () => BundledData.PathOf(g.File), spec.Labels, TemplateSpace.FsLR) { GrayordinateInfo = g };
        }
        // A path that is no file: say what it is (not found, a folder, a link to nothing), as for any input.
        if (text.Contains('/') || text.Contains('.')) { IO.InputFile.Check(text); throw new NiSharpException(text, "file not found"); }
        string datasetAtlases = spec.Datasets.Count == 0 ? ""
            : $"; in the BIDS-Atlas datasets: {AtlasFileChoice.Listing(spec.Datasets.SelectMany(d => new BidsAtlasDataset(d).AtlasFiles()).Select(f => f.Atlas).Distinct(StringComparer.Ordinal).ToList())}";
        throw new NiSharpException($"unknown atlas '{text}'{IO.NearestNames.DidYouMean(text.ToLowerInvariant(), AtlasCatalog.All.Select(a => a.Name).Concat(AtlasCatalog.Grayordinate.Select(a => a.Name)))} (bundled: {string.Join(", ", AtlasCatalog.All.Select(a => a.Name))}{datasetAtlases}; " +
                                   "or a NIfTI label image, templateflow:ATLAS[:DESC], or the NAME of an atlas in an --atlas-dataset)");
    }

    /// <summary>The label table given with the atlas, else the one of a TemplateFlow or BIDS-Atlas image.</summary>
    private static AtlasSource FromImageFile(AtlasImageFile image, AtlasOrigin origin, string root, string display, string? labels)
    {
        AtlasImageFile.CheckFetched(image.Path);
        var table = labels ?? AtlasFileChoice.Companion(image.Path, root, ".tsv");
        if (table is null && origin == AtlasOrigin.BidsAtlasDataset)
            throw new NiSharpException(image.Path, $"no label table (atlas-{image.Atlas}{(image.Desc is null ? "" : "_desc-" + image.Desc)}_{(image.Kind == AtlasKind.Maps ? "probseg" : "dseg")}.tsv) beside it or above it in the dataset; a BIDS-Atlas dataset needs one (index and name columns)");
        return new AtlasSource(display, origin, image.Kind, () => image.Path, table, image.Space)
        {
            Resolution = image.Resolution,
            Desc = image.Desc,
            Root = root,
            MetadataPath = AtlasFileChoice.Companion(image.Path, root, ".json"),
        };
    }

    /// <summary>A file: its kind from its header, its space as given or as its name says, its label table as given or the BIDS
    /// table beside a <c>_dseg</c>/<c>_probseg</c> image.</summary>
    private static AtlasSource FromFile(string path, AtlasSpec spec)
    {
        var kind = AtlasSource.KindOfFile(path);
        string? labels = spec.Labels, metadata = null;
        if (BidsName.TryParse(Path.GetFileName(path), out var name, out _) && name!.Entities.Count > 0 && name.Suffix is "dseg" or "probseg" or "pseg")
        {
            labels ??= AtlasFileChoice.Companion(path, null, ".tsv");
            metadata = AtlasFileChoice.Companion(path, null, ".json");
        }
        return new AtlasSource(Path.GetFileName(path), AtlasOrigin.File, kind, () => path, labels, spec.Space ?? TemplateSpace.OfFile(path))
        {
            Resolution = name?.Entities["res"],
            Desc = name?.Entities["desc"],
            MetadataPath = metadata,
        };
    }

    private static void RefuseSpace(AtlasSpec spec, string name, string space)
    {
        if (spec.Space is string s && !TemplateSpace.Same(s, space))
            throw NiSharpException.InParameter("atlas_space", $" {s}: {name} is bundled with NiSharp and is in {space}; the atlas space is for files, TemplateFlow and BIDS-Atlas datasets");
    }
}
