using NiSharp.Bids;
using NiSharp.Nifti;

namespace NiSharp.Atlases;

/// <summary>
/// What a user asked for as an atlas, before it is looked up: the <c>--atlas</c> text — a bundled name
/// (<c>schaefer100-7</c>), a file, <c>templateflow:ATLAS[:DESC]</c>, or the <c>NAME[:DESC]</c> of an atlas in a
/// BIDS-Atlas dataset — and what goes with it: a label table that replaces the atlas's names, the atlas's space
/// (for a file that does not say it; for TemplateFlow and datasets, the space to take it from), the BIDS-Atlas
/// datasets to search and the TemplateFlow home. <see cref="AtlasResolver.Resolve"/> turns it into an
/// <see cref="AtlasSource"/>.
/// </summary>
public sealed record AtlasSpec
{
    /// <summary>The prefix of a TemplateFlow atlas: <c>templateflow:Schaefer2018:400Parcels7Networks</c>.</summary>
    public const string TemplateFlowPrefix = "templateflow:";

    /// <summary><c>--atlas</c>: a bundled name, a file, <c>templateflow:ATLAS[:DESC]</c> or a dataset's <c>NAME[:DESC]</c>.</summary>
    public required string Atlas { get; init; }

    /// <summary><c>--labels</c> / <c>--atlas-labels</c>: a label table (BIDS <c>dseg.tsv</c>, FreeSurfer LUT, TXT, CSV)
    /// that replaces the atlas's own names; null: the atlas's.</summary>
    public string? Labels { get; init; }

    /// <summary><c>--atlas-space</c>: the template space of an atlas file whose name does not say it (<c>space-</c>/<c>tpl-</c>
    /// entity); for TemplateFlow and BIDS-Atlas datasets, the space to take the atlas from when it differs from the data's.</summary>
    public string? Space { get; init; }

    /// <summary><c>--atlas-dataset</c>: BIDS-Atlas datasets (<c>DIR/atlas-NAME/atlas-NAME_space-S[_res-R][_desc-D]_dseg.nii.gz</c>),
    /// searched for <see cref="Atlas"/> in this order.</summary>
    public IReadOnlyList<string> Datasets { get; init; } = [];

    /// <summary><c>--templateflow-home</c>: the TemplateFlow home; null: <c>$TEMPLATEFLOW_HOME</c>, else
    /// <c>~/.cache/templateflow</c>, as TemplateFlow's own client.</summary>
    public string? TemplateFlowHome { get; init; }

    /// <summary>Whether <see cref="Atlas"/> names a TemplateFlow atlas.</summary>
    public bool IsTemplateFlow => Atlas.TrimStart().StartsWith(TemplateFlowPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>The TemplateFlow home this spec searches (<see cref="TemplateFlowHome"/> or the environment's).</summary>
    public string TemplateFlowDirectory => TemplateFlowHome ?? Atlases.TemplateFlowHome.DefaultPath;

    /// <summary>
    /// The atlas name and <c>desc</c> of <c>templateflow:ATLAS[:DESC]</c> or of a dataset's <c>NAME[:DESC]</c>; both must be
    /// BIDS labels (letters and digits).
    /// </summary>
    public (string Name, string? Desc) NameAndDesc()
    {
        var text = Atlas.Trim();
        if (IsTemplateFlow) text = text[TemplateFlowPrefix.Length..];
        var parts = text.Split(':');
        if (parts.Length > 2 || parts.Any(p => p.Length == 0 || !p.All(char.IsAsciiLetterOrDigit)))
            throw NiSharpException.InParameter("atlas", $" '{Atlas}': expected {(IsTemplateFlow ? "templateflow:ATLAS[:DESC]" : "NAME[:DESC]")}, " +
                                                          "each a BIDS label (letters and digits), e.g. templateflow:Schaefer2018:400Parcels7Networks");
        return (parts[0], parts.Length == 2 ? parts[1] : null);
    }
}

/// <summary>
/// The data an atlas is for: its template space (the BOLD's <c>space-</c> entity, or <c>--space</c>) and its voxel size,
/// from which <see cref="AtlasResolver"/> picks an atlas's space and resolution.
/// </summary>
/// <param name="Space">The data's template space; null when unknown.</param>
/// <param name="VoxelSize">The data's voxel size in mm (the mean of the three; null when unknown or not a volume).</param>
public sealed record AtlasTarget(string? Space, double? VoxelSize)
{
    /// <summary>Nothing known about the data (a bundled atlas or a file needs nothing).</summary>
    public static AtlasTarget Unknown { get; } = new(null, null);

    /// <summary>
    /// The target of a BOLD file: <paramref name="space"/> when given, else the file's <c>space-</c> entity; the voxel size
    /// from its header (read alone). A CIFTI file has no voxel size.
    /// </summary>
    public static AtlasTarget OfBold(string boldPath, string? space = null)
    {
        var s = TemplateSpace.Normalize(space) ?? (BidsName.TryParse(Path.GetFileName(boldPath), out var name, out _) ? TemplateSpace.Normalize(name!.Entities["space"]) : null);
        if (Cifti.CiftiFile.IsCifti(boldPath)) return new AtlasTarget(s, null);
        using var f = NiftiFile.Open(boldPath);
        return new AtlasTarget(s, MeanVoxelSize(f.Affine));
    }

    /// <summary>The mean of an affine's three voxel sizes (mm).</summary>
    public static double MeanVoxelSize(Affine affine)
    {
        var (x, y, z) = affine.VoxelSizes;
        return (x + y + z) / 3;
    }
}
