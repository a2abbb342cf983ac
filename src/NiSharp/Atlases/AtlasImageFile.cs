using System.Globalization;
using NiSharp.Bids;
using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>
/// One atlas image of a TemplateFlow home or a BIDS-Atlas dataset, taken apart from its name:
/// <c>tpl-MNI152NLin6Asym_res-02_atlas-Schaefer2018_desc-400Parcels7Networks_dseg.nii.gz</c> or
/// <c>atlas-Gordon_space-MNI152NLin6Asym_res-01_dseg.nii.gz</c>.
/// </summary>
/// <param name="Path">The image.</param>
/// <param name="Atlas">The <c>atlas-</c> label.</param>
/// <param name="Desc">The <c>desc-</c> label, or null.</param>
/// <param name="Space">The <c>tpl-</c> (TemplateFlow) or <c>space-</c> (BIDS-Atlas) label.</param>
/// <param name="Resolution">The <c>res-</c> label, or null.</param>
/// <param name="Kind"><c>dseg</c>: labels; <c>probseg</c> (TemplateFlow also writes <c>pseg</c>): maps.</param>
public sealed record AtlasImageFile(string Path, string Atlas, string? Desc, string Space, string? Resolution, AtlasKind Kind)
{
    /// <summary>The file at <paramref name="path"/> as an atlas image whose space is the <paramref name="spaceEntity"/> entity
    /// (<c>tpl</c> or <c>space</c>), or null when its name is not one (another suffix, another extension, no atlas or space,
    /// a <c>cohort-</c> or <c>hemi-</c> entity, which NiSharp does not resolve).</summary>
    public static AtlasImageFile? TryParse(string path, string spaceEntity)
    {
        if (!BidsName.TryParse(System.IO.Path.GetFileName(path), out var name, out _)) return null;
        if (name!.Extension is not (".nii.gz" or ".nii")) return null;
        AtlasKind kind;
        switch (name.Suffix)
        {
            case "dseg": kind = AtlasKind.Labels; break;
            case "probseg" or "pseg": kind = AtlasKind.Maps; break;
            default: return null;
        }
        var e = name.Entities;
        if (e["atlas"] is not string atlas || e[spaceEntity] is not string space) return null;
        if (e.Contains("cohort") || e.Contains("hemi")) return null;
        return new AtlasImageFile(path, atlas, e["desc"], space, e["res"], kind);
    }

    /// <summary>The mean voxel size in mm, from the header (read alone). A link whose content was never fetched
    /// (a DataLad/git-annex TemplateFlow) is named as such.</summary>
    public double VoxelSize()
    {
        CheckFetched(Path);
        using var f = NiftiFile.Open(Path);
        return AtlasTarget.MeanVoxelSize(f.Affine);
    }

    /// <summary>The <c>res-</c> label as listings show it.</summary>
    public string ResolutionText => Resolution is null ? "one resolution" : "res-" + Resolution;

    /// <summary>Fails when <paramref name="path"/> is a link to content that is not there (a DataLad dataset not fetched).</summary>
    internal static void CheckFetched(string path)
    {
        if (!File.Exists(path) && new FileInfo(path).LinkTarget is not null)
            throw new NiSharpException(path, "is a link to content that is not on this machine (a DataLad/git-annex copy not fetched): " +
                                             "fetch it (datalad get, or TemplateFlow's client); NiSharp never downloads");
    }
}

/// <summary>
/// The choice among the images of one atlas (TemplateFlow or BIDS-Atlas): its <c>desc</c>, the space (the one asked for,
/// else the data's), then the resolution nearest the data's voxels; and the files that go with the image (its label
/// table and JSON sidecar, found as BIDS inheritance would: the most specific name nearest to it).
/// </summary>
internal static class AtlasFileChoice
{
    /// <summary>
    /// Picks one image of <paramref name="name"/> among <paramref name="files"/> (every atlas image of the home or dataset).
    /// <paramref name="display"/> names the request in errors, <paramref name="where"/> the place searched,
    /// <paramref name="missingHint"/> says how to get what is missing.
    /// </summary>
    public static AtlasImageFile Choose(IReadOnlyList<AtlasImageFile> files, string name, string? desc, string? atlasSpace, AtlasTarget target,
        string display, string where, Func<string, string> missingHint)
    {
        var ofAtlas = files.Where(f => f.Atlas == name).ToList();
        if (ofAtlas.Count == 0)
        {
            var near = files.Where(f => string.Equals(f.Atlas, name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Atlas).Distinct().ToList();
            string known = Listing(files.Select(f => f.Atlas).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());
            throw new NiSharpException($"{display}: no atlas '{name}' in {where}" + (near.Count > 0 ? $" (did you mean {near[0]}? names are case-sensitive)" : $" (atlases there: {known})"));
        }
        var descs = ofAtlas.Select(f => f.Desc).Distinct().ToList();
        if (desc is not null)
        {
            ofAtlas = ofAtlas.Where(f => f.Desc == desc).ToList();
            if (ofAtlas.Count == 0)
                throw new NiSharpException($"{display}: atlas '{name}' has no desc-{desc} in {where} (descs: {Listing(descs.Select(d => d ?? "none").ToList())})");
        }
        else if (ofAtlas.Any(f => f.Desc is null)) ofAtlas = ofAtlas.Where(f => f.Desc is null).ToList();
        else if (descs.Count == 1) ofAtlas = ofAtlas.Where(f => f.Desc == descs[0]).ToList();
        else throw new NiSharpException($"{display}: atlas '{name}' comes in several versions in {where}; name one: {Listing(descs.Select(d => $"{name}:{d}").ToList())}");
        if (ofAtlas.Any(f => f.Kind == AtlasKind.Labels)) ofAtlas = ofAtlas.Where(f => f.Kind == AtlasKind.Labels).ToList();

        string? wanted = TemplateSpace.Normalize(atlasSpace) ?? target.Space;
        var spaces = ofAtlas.Select(f => f.Space).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (wanted is null)
        {
            if (spaces.Count > 1)
                throw new NiSharpException($"{display}: the data's space is unknown, and the atlas exists in several ({Spaces(ofAtlas)}): give --space (the data's) or --atlas-space");
            wanted = spaces[0];
        }
        var inSpace = ofAtlas.Where(f => TemplateSpace.Same(f.Space, wanted)).ToList();
        if (inSpace.Count == 0)
            throw new NiSharpException($"{display}: not in space {wanted} in {where}; it exists in {Spaces(ofAtlas)}. {missingHint(wanted)}, " +
                                       $"or give --atlas-space {spaces[0]} to resample that one onto the data");
        if (inSpace.Count == 1) return inSpace[0];
        // Nearest voxel size to the data's; without one, the finest. Ties go to the finer image.
        var sized = inSpace.Select(f => (File: f, Size: f.VoxelSize())).ToList();
        return target.VoxelSize is double v
            ? sized.OrderBy(s => Math.Round(Math.Abs(s.Size - v), 6)).ThenBy(s => s.Size).First().File
            : sized.OrderBy(s => s.Size).First().File;
    }

    /// <summary>"MNI152NLin6Asym (res-01, res-02), MNI152NLin2009cAsym (res-01)": the spaces and resolutions of <paramref name="files"/>.</summary>
    public static string Spaces(IEnumerable<AtlasImageFile> files) =>
        string.Join(", ", files.GroupBy(f => f.Space, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} ({string.Join(", ", g.Select(f => f.ResolutionText).Distinct().Order(StringComparer.Ordinal))})"));

    /// <summary>
    /// The file beside <paramref name="image"/> with extension <paramref name="extension"/> (<c>.tsv</c>, <c>.json</c>) that
    /// describes it, as BIDS inheritance finds it: the image's own name first, then names without its <c>res-</c>,
    /// <c>den-</c> and <c>space-</c> entities (TemplateFlow's tables have no <c>res-</c>; a BIDS-Atlas dataset's
    /// <c>atlas-A_dseg.tsv</c> has no space either), in its folder, then in each folder above it up to
    /// <paramref name="root"/>. Null when there is none.
    /// </summary>
    public static string? Companion(string image, string? root, string extension)
    {
        if (!BidsName.TryParse(Path.GetFileName(image), out var name, out _)) return null;
        var entities = name!.Entities.ToList();
        string[] optional = ["res", "den", "space"];
        var present = optional.Where(k => entities.Any(e => e.Key == k)).ToList();
        var candidates = new List<string>();
        // Subsets of the optional entities, fewest dropped first (the most specific name wins).
        for (int size = 0; size <= present.Count; size++)
            foreach (var drop in Subsets(present, size))
                candidates.Add(string.Join('_', entities.Where(e => !drop.Contains(e.Key)).Select(e => e.ToString())) + "_" + name.Suffix + extension);
        var dir = Path.GetDirectoryName(Path.GetFullPath(image))!;
        var stop = root is null ? dir : Path.GetFullPath(root).TrimEnd('/');
        while (true)
        {
            foreach (var c in candidates)
            {
                var p = Path.Combine(dir, c);
                if (File.Exists(p)) return p;
                AtlasImageFile.CheckFetched(p);
            }
            if (dir.TrimEnd('/') == stop || Path.GetDirectoryName(dir) is not string parent || !dir.StartsWith(stop, StringComparison.Ordinal)) return null;
            dir = parent;
        }
    }

    private static IEnumerable<HashSet<string>> Subsets(List<string> items, int size)
    {
        if (size == 0) { yield return []; yield break; }
        for (int i = 0; i <= items.Count - size; i++)
            foreach (var rest in Subsets(items.Skip(i + 1).ToList(), size - 1))
            {
                rest.Add(items[i]);
                yield return rest;
            }
    }

    internal static string Listing(IReadOnlyList<string> items) =>
        items.Count == 0 ? "none" : items.Count <= 12 ? string.Join(", ", items) : string.Join(", ", items.Take(12)) + string.Create(CultureInfo.InvariantCulture, $", … ({items.Count} in all)");
}

/// <summary>One atlas of a TemplateFlow home or a BIDS-Atlas dataset as listings show it: its name, <c>desc</c>, kind, and
/// the spaces and resolutions it comes in.</summary>
/// <param name="Atlas">The <c>atlas-</c> label.</param>
/// <param name="Desc">The <c>desc-</c> label, or null.</param>
/// <param name="Kind">Labels or maps.</param>
/// <param name="Files">Its images, in name order.</param>
public sealed record AtlasListing(string Atlas, string? Desc, AtlasKind Kind, IReadOnlyList<AtlasImageFile> Files)
{
    /// <summary>"MNI152NLin6Asym (res-01, res-02), …".</summary>
    public string Spaces => AtlasFileChoice.Spaces(Files);

    /// <summary><c>ATLAS[:DESC]</c>, what <c>--atlas</c> takes (after <c>templateflow:</c> for a TemplateFlow atlas).</summary>
    public string Name => Desc is null ? Atlas : Atlas + ":" + Desc;

    /// <summary>The atlases of <paramref name="files"/>, grouped by name, <c>desc</c> and kind, in name order.</summary>
    public static IReadOnlyList<AtlasListing> Of(IEnumerable<AtlasImageFile> files) =>
        files.GroupBy(f => (f.Atlas, f.Desc, f.Kind))
            .OrderBy(g => g.Key.Atlas, StringComparer.Ordinal).ThenBy(g => g.Key.Desc ?? "", StringComparer.Ordinal)
            .Select(g => new AtlasListing(g.Key.Atlas, g.Key.Desc, g.Key.Kind, g.ToList()))
            .ToList();
}
