using NiSharp.Atlases;
using NiSharp.Bids;
using NiSharp.Connectome;

namespace NiSharp.Pipeline;

/// <summary>
/// The names of <c>nisharp run</c>'s outputs, BIDS-derivative style: per run in
/// <c>OUTPUT_DIR/sub-X[/ses-Y]/func/</c>, the BOLD file's entities without <c>desc</c>, then <c>atlas-A</c> and
/// the statistic: <c>…_atlas-A_stat-mean_timeseries.tsv</c>, <c>…_atlas-A_stat-coverage_bold.tsv</c>,
/// <c>…_atlas-A_stat-pearsoncorrelation_relmat.tsv</c> (other kinds: <c>stat-partialcorrelation</c>,
/// <c>stat-tangent</c>, <c>stat-covariance</c>, <c>stat-precision</c>), each TSV with a JSON sidecar where the
/// issue asks for one.
/// </summary>
public static class DerivativeNames
{
    /// <summary>The <c>stat-</c> label of a connectivity kind.</summary>
    public static string StatLabel(ConnectivityKind kind) => kind switch
    {
        ConnectivityKind.Correlation => "pearsoncorrelation",
        ConnectivityKind.PartialCorrelation => "partialcorrelation",
        ConnectivityKind.Tangent => "tangent",
        ConnectivityKind.Covariance => "covariance",
        ConnectivityKind.Precision => "precision",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// The <c>atlas-</c> label of a resolved atlas: for a bundled atlas a BIDS label of its name (<c>yeo7-relabeled</c> →
    /// <c>Yeo7relabeled</c>, <c>schaefer100-7</c> → <c>Schaefer100n7</c>); for a TemplateFlow or BIDS-Atlas atlas its
    /// <c>atlas-</c> and <c>desc-</c> labels joined (<c>templateflow:Schaefer2018:400Parcels7Networks</c> →
    /// <c>Schaefer2018400Parcels7Networks</c>); for a file, as <see cref="AtlasLabel(string)"/>.
    /// </summary>
    public static string AtlasLabel(AtlasSource source) => source.Origin switch
    {
        AtlasOrigin.Bundled when source.Info is not null => AtlasLabel(source.Info.Name),
        AtlasOrigin.TemplateFlow or AtlasOrigin.BidsAtlasDataset => AtlasAndDesc(BidsName.Parse(Path.GetFileName(source.ImagePath)))!,
        _ => AtlasLabel(source.ImagePath),
    };

    /// <summary>
    /// The <c>atlas-</c> label of an atlas named by <paramref name="atlas"/>: a BIDS label (letters and digits only) for a
    /// bundled atlas (<c>yeo7-relabeled</c> → <c>Yeo7relabeled</c>, <c>schaefer100-7</c> → <c>Schaefer100n7</c>); for an atlas
    /// image file, its <c>atlas-</c> and <c>desc-</c> entities when its name has them (a TemplateFlow or BIDS-Atlas file:
    /// the label it would have from there), else the file name without extension and non-alphanumeric characters.
    /// </summary>
    public static string AtlasLabel(string atlas)
    {
        var info = File.Exists(atlas) ? null : AtlasCatalog.Find(atlas);
        if (info is not null)
        {
            return info.Name switch
            {
                "aal" => "AAL",
                "harvard-oxford" => "HOCPA",
                "harvard-oxford-sub" => "HOSPA",
                var n when n.StartsWith("schaefer", StringComparison.Ordinal) => Capitalised(n.Replace('-', 'n')),
                var n => Capitalised(n),
            };
        }
        var name = Path.GetFileName(atlas);
        if (BidsName.TryParse(name, out var bids, out _) && AtlasAndDesc(bids!) is string fromEntities) return fromEntities;
        foreach (var ext in new[] { ".nii.gz", ".nii", ".hdr", ".img" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) { name = name[..^ext.Length]; break; }
        var label = new string(name.Where(char.IsAsciiLetterOrDigit).ToArray());
        if (label.Length == 0) throw new NiSharpException(atlas, "cannot make a BIDS atlas label from this file name; rename the file");
        return label;
    }

    // atlas-Schaefer2018_desc-400Parcels7Networks → Schaefer2018400Parcels7Networks (both are BIDS labels already).
    private static string? AtlasAndDesc(BidsName name) =>
        name.Entities["atlas"] is string a ? a + (name.Entities["desc"] ?? "") : null;

    private static string Capitalised(string s)
    {
        var t = new string(s.Where(char.IsAsciiLetterOrDigit).ToArray());
        return t.Length == 0 ? t : char.ToUpperInvariant(t[0]) + t[1..];
    }

    /// <summary>The output folder of a subject: <c>OUTPUT_DIR/sub-X</c>.</summary>
    public static string SubjectDirectory(string outputDir, string? subject) => Path.Combine(outputDir, $"sub-{subject}");

    /// <summary>The output folder of a run: <c>OUTPUT_DIR/sub-X[/ses-Y]/func</c>.</summary>
    public static string RunDirectory(string outputDir, BoldRun run) =>
        run.Session is string ses
            ? Path.Combine(SubjectDirectory(outputDir, run.Subject), $"ses-{ses}", "func")
            : Path.Combine(SubjectDirectory(outputDir, run.Subject), "func");

    /// <summary>The name prefix of a run's outputs: the BOLD entities without <c>desc</c>, then <c>atlas-A</c>.</summary>
    public static string RunPrefix(BoldRun run, string atlasLabel) => $"{run.OutputPrefix}_atlas-{atlasLabel}";
}

/// <summary>The files one BOLD run produces at the participant level.</summary>
/// <param name="Directory">The run's output folder.</param>
/// <param name="Prefix">The name prefix (entities up to <c>atlas-A</c>).</param>
public sealed record RunOutputs(string Directory, string Prefix)
{
    /// <summary>The cleaned region signals.</summary>
    public string TimeSeries => Path.Combine(Directory, Prefix + "_stat-mean_timeseries.tsv");

    /// <summary>Their sidecar: every parameter, and the hashes that say whether the run is complete.</summary>
    public string TimeSeriesSidecar => Path.Combine(Directory, Prefix + "_stat-mean_timeseries.json");

    /// <summary>The atlas coverage table.</summary>
    public string Coverage => Path.Combine(Directory, Prefix + "_stat-coverage_bold.tsv");

    /// <summary>A connectivity matrix.</summary>
    public string Relmat(ConnectivityKind kind) => Path.Combine(Directory, $"{Prefix}_stat-{DerivativeNames.StatLabel(kind)}_relmat.tsv");

    /// <summary>The sidecar of a connectivity matrix.</summary>
    public string RelmatSidecar(ConnectivityKind kind) => Path.ChangeExtension(Relmat(kind), ".json");

    /// <summary>The cleaned parcel signals of a grayordinate run as a CIFTI parcellated series (<c>…_timeseries.ptseries.nii</c>).</summary>
    public string ParcelSeries => Cifti.CiftiKind.ParcelSeries.PathBeside(TimeSeries);

    /// <summary>A grayordinate run's connectivity matrix as a CIFTI parcellated connectivity (<c>…_relmat.pconn.nii</c>).</summary>
    public string ParcelConnectivity(ConnectivityKind kind) => Cifti.CiftiKind.ParcelConnectivity.PathBeside(Relmat(kind));

    /// <summary>The run's motion QC table (<see cref="Qc.RunQc"/>), with a JSON sidecar.</summary>
    public string QcMotion => Path.Combine(Directory, Prefix + Qc.RunQc.Suffix);

    /// <summary>The run's HTML quality page (in the subject's <c>figures</c> folder, as fMRIPrep does).</summary>
    public string Report => Path.Combine(System.IO.Path.GetDirectoryName(Directory)!, "figures", Prefix + "_report.html");
}
