using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Connectome;
using NiSharp.Reports;

namespace NiSharp.Pipeline;

/// <summary>
/// The run's top page <c>OUTPUT_DIR/report.html</c>: after the participant level, the subjects, parameters, failures and
/// mean matrix, with the per-run pages listed (<c>sub-X/figures/…_report.html</c>); after the group level, also the
/// comparison (box and swarm of the lesson's DMN edge by group, the statistics table).
/// </summary>
internal static class RunReports
{
    /// <summary>The run's settings as the report's table; <paramref name="tasks"/>: the tasks of the selected runs (shown when
    /// <c>--task</c> was not given).</summary>
    public static List<(string, string)> Details(RunOptions o, string atlasName, string parametersHash, IReadOnlyList<string> tasks) =>
    [
        ("input", o.InputDirectory),
        ("output", o.OutputDirectory),
        ("space", o.Space),
        ("task", o.Task ?? (tasks.Count > 0 ? string.Join(", ", tasks.Select(t => t.Length == 0 ? "(none)" : t)) : "all")),
        ("atlas", atlasName),
        ("confound strategy", o.Strategy),
        ("dummy volumes", o.DummyScans.ToString()),
        ("cleaning", Cleaning(o)),
        ("connectivity", string.Join(", ", o.Kinds.Select(k => k.NilearnName()))),
        ("parameters hash", parametersHash),
        ("NiSharp", Provenance.Version),
    ];

    /// <summary>The masker's smoothing and cleaning in one line, for the pages.</summary>
    public static string Cleaning(RunOptions o) =>
        (o.SmoothingFwhm is { IsNone: false } fwhm ? $"smoothing FWHM {fwhm}{(fwhm.IsFast ? "" : " mm")}, " : "") +
        $"detrend {o.Clean.Detrend}, high-pass {Hz(o.Clean.HighPass)}, low-pass {Hz(o.Clean.LowPass)}, standardize {Signal.CleanOptions.Name(o.Clean.Standardize)}" +
        (o.HighVarianceConfounds ? ", with 5 high-variance confounds" : "") +
        $"; censored volumes: {Signal.CleanOptions.Name(o.Clean.CensoredInterpolation)} interpolated, extrapolate {o.Clean.Extrapolate}; nilearn {Signal.CleanOptions.Name(o.Clean.Semantics)} semantics";

    /// <summary>The participant level's summary page: the settings, the per-run pages of every atlas, and the mean
    /// matrix of the first atlas (of its first kind) over the complete runs.</summary>
    public static void WriteParticipantSummary(string path, IReadOnlyList<ParticipantContext> atlases, RunSelection selection, IReadOnlyList<SubjectOutcome> outcomes)
    {
        var ctx = atlases[0];
        var o = ctx.Options;
        var details = Details(o, string.Join(", ", atlases.Select(c => c.Atlas.Name)), ParticipantContext.ParametersHash(atlases), selection.Tasks);
        details.Add(("level", "participant"));
        var pages = atlases.SelectMany(c => selection.Subjects.SelectMany(s => s.Runs).Select(r => RunAnalysis.OutputsOf(r, c).Report))
            .Select(p => Path.GetRelativePath(o.OutputDirectory, p))
            .Where(p => File.Exists(Path.Combine(o.OutputDirectory, p)))
            .ToList();
        details.Add(("per-run pages", pages.Count == 0 ? "none" : $"{pages.Count}, e.g. {pages[0]}"));
        if (atlases.Count > 1) details.Add(("mean matrix", $"atlas {ctx.Atlas.Name} (each atlas has its per-run pages)"));
        var matrices = new List<ConnectivityMatrix>();
        var kind = ctx.Kinds.Count > 0 ? ctx.Kinds[0] : ConnectivityKind.Correlation;
        foreach (var r in selection.Subjects.SelectMany(s => s.Runs))
        {
            var file = RunAnalysis.OutputsOf(r, ctx).Relmat(kind);
            if (File.Exists(file) && RunAnalysis.IsComplete(r, ctx)) matrices.Add(ConnectivityMatrix.Read(file));
        }
        var mean = MeanIgnoringNaN(matrices);
        GroupReport.Save(path, new GroupReportInput
        {
            Title = "NiSharp run: participant level",
            Details = details,
            MeanConnectivity = mean?.Values.ToArray(),
            RegionNames = mean?.Regions.Select(r => r.Name).ToArray(),
            Subjects = outcomes.Where(x => x.State != SubjectState.Failed).Select(x => "sub-" + x.Subject).ToArray(),
            Failures = outcomes.Where(x => x.State == SubjectState.Failed).Select(x => new FailedSubject("sub-" + x.Subject, x.Reason ?? "", x.File)).ToArray(),
        });
    }

    /// <summary>The element-wise mean of matrices over the same regions, skipping n/a entries; null when there are none.</summary>
    public static ConnectivityMatrix? MeanIgnoringNaN(IReadOnlyList<ConnectivityMatrix> matrices)
    {
        if (matrices.Count == 0) return null;
        var regions = matrices[0].Regions;
        int n = regions.Count;
        var sum = Matrix<double>.Build.Dense(n, n);
        var count = new int[n, n];
        foreach (var m in matrices)
        {
            if (m.Regions.Count != n) continue;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double v = m.Values[i, j];
                    if (double.IsNaN(v)) continue;
                    sum[i, j] += v;
                    count[i, j]++;
                }
        }
        var mean = Matrix<double>.Build.Dense(n, n, (i, j) => count[i, j] > 0 ? sum[i, j] / count[i, j] : double.NaN);
        return new ConnectivityMatrix(regions, mean, isGroupMean: true);
    }

    private static string Hz(double? v) => v is double d ? d.ToString("0.###", CultureInfo.InvariantCulture) + " Hz" : "none";
}
