using NiSharp.Signal;

namespace NiSharp.Confounds;

/// <summary>
/// The regressors chosen from a confounds file for one run: a (volumes × regressors) matrix with current
/// fMRIPrep column names, one row per volume left after dummy removal, and the sample mask (the rows
/// kept after censoring non-steady-state and high-motion volumes).
/// </summary>
public sealed class ConfoundSelection
{
    /// <summary>Regressor names (current fMRIPrep names).</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The regressors, one row per volume after dummy removal, float64, NaN-free.</summary>
    public required SignalMatrix<double> Regressors { get; init; }

    /// <summary>Kept rows (strictly increasing indices into <see cref="Regressors"/>); every row when nothing is censored.</summary>
    public required int[] SampleMask { get; init; }

    /// <summary>Leading volumes removed from the file (and to be removed from the image).</summary>
    public required int DummyScans { get; init; }

    /// <summary>Rows in the file.</summary>
    public required int SourceRows { get; init; }

    /// <summary>Columns NiSharp computed because the file lacked them (derivatives, squares).</summary>
    public required IReadOnlyList<string> ComputedColumns { get; init; }

    /// <summary>Rows censored by scrubbing (indices into <see cref="Regressors"/>).</summary>
    public required IReadOnlyList<int> ScrubbedVolumes { get; init; }

    /// <summary>Rows censored as non-steady-state (indices into <see cref="Regressors"/>).</summary>
    public required IReadOnlyList<int> NonSteadyStateVolumes { get; init; }

    /// <summary>The strategy that produced this selection.</summary>
    public required ConfoundStrategy Strategy { get; init; }

    /// <summary>The confounds file.</summary>
    public required string SourcePath { get; init; }

    /// <summary>What the selection could not do as asked but did anyway (fewer CompCor components than
    /// <c>n_compcor</c>), one line each, for the caller to show.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Volumes left after dummy removal (= rows of <see cref="Regressors"/>).</summary>
    public int Volumes => Regressors.Timepoints;

    /// <summary>Whether any volume is censored.</summary>
    public bool IsCensored => SampleMask.Length < Volumes;

    /// <summary>The sample mask as nilearn returns it: null when nothing is censored.</summary>
    public int[]? SampleMaskOrNull => IsCensored ? SampleMask : null;

    /// <summary>Everything about this selection for a JSON sidecar: the strategy's parameters under nilearn's
    /// names, the columns, the dummy volumes, the censored and kept volumes.</summary>
    public Dictionary<string, object?> ToParameters()
    {
        var d = Strategy.ToParameters();
        d["confounds_file"] = Path.GetFileName(SourcePath);
        d["dummy_scans_requested"] = Strategy.DummyScans?.ToString();
        d["dummy_scans"] = DummyScans;
        d["columns"] = Columns.ToArray();
        d["computed_columns"] = ComputedColumns.ToArray();
        d["n_volumes_in_file"] = SourceRows;
        d["n_volumes"] = Volumes;
        d["non_steady_state_volumes"] = NonSteadyStateVolumes.ToArray();
        d["scrubbed_volumes"] = ScrubbedVolumes.ToArray();
        d["sample_mask"] = SampleMask;
        d["n_volumes_kept"] = SampleMask.Length;
        return d;
    }
}

/// <summary>
/// nilearn's <c>load_confounds</c> on one fMRIPrep confounds file, with dummy-volume removal first:
/// collects each component's columns (old names already mapped to current ones, missing expansions
/// computed), always reads <c>non_steady_state_outlier*</c>, scrubs, turns outlier columns into the sample
/// mask, sorts strategy columns alphabetically (explicit columns keep their order, derivatives after),
/// fills a NaN first row from the second, and demeans over the kept volumes.
/// </summary>
public static class ConfoundSelector
{
    /// <summary>
    /// The columns (current fMRIPrep names) that <see cref="Select"/> with <paramref name="strategy"/>, or the motion QC
    /// beside it, may read: what any preset uses (motion, tissue and global signals and their expansions, cosines,
    /// CompCor, AROMA, outliers, framewise displacement, DVARS) and the strategy's own columns. Pass it to
    /// <see cref="FmriprepConfounds.Load"/> so that the other columns of a wide file are never held.
    /// </summary>
    public static Func<string, bool> MayRead(ConfoundStrategy strategy)
    {
        var named = new HashSet<string>(ConfoundNames.Motion, StringComparer.Ordinal)
        {
            "csf", "white_matter", "global_signal", "framewise_displacement", "std_dvars", "dvars", "rmsd",
        };
        foreach (var c in strategy.Columns) named.Add(ConfoundNames.ToCurrent(c.Trim()));
        return column =>
        {
            if (column.Contains("non_steady_state", StringComparison.Ordinal) || column.Contains("motion_outlier", StringComparison.Ordinal) ||
                column.Contains("cosine", StringComparison.Ordinal) || column.Contains("comp_cor", StringComparison.Ordinal) ||
                column.Contains("aroma", StringComparison.Ordinal))
                return true;
            // A base column and its expansions (_derivative1, _power2, _derivative1_power2).
            var name = column;
            foreach (var suffix in new[] { "_power2", "_derivative1" })
                if (name.EndsWith(suffix, StringComparison.Ordinal)) name = name[..^suffix.Length];
            return named.Contains(name) || named.Contains(column);
        };
    }

    /// <summary>Selects <paramref name="strategy"/> from <paramref name="confounds"/>.</summary>
    public static ConfoundSelection Select(FmriprepConfounds confounds, ConfoundStrategy strategy)
    {
        strategy.Validate();
        string file = confounds.Path;
        int rows = confounds.RowCount;
        bool Has(NoiseComponents c) => (strategy.Components & c) != 0;

        // Non-steady-state outliers: always read, like nilearn.
        var nss = confounds.Columns.Where(c => c.Contains("non_steady_state", StringComparison.Ordinal)).ToList();
        var nssRows = new SortedSet<int>();
        foreach (var c in nss)
        {
            var v = confounds.Column(c);
            for (int t = 0; t < rows; t++) if (v[t] != 0 && !double.IsNaN(v[t])) nssRows.Add(t);
        }
        int dummy = 0;
        if (strategy.DummyScans is { } ds)
        {
            if (ds.IsAuto)
                while (nssRows.Contains(dummy)) dummy++;
            else
                dummy = ds.Count!.Value;
        }
        if (dummy >= rows)
            throw new NiSharpException(file, $"cannot drop {dummy} dummy volumes: the file has {rows} rows");
        int n = rows - dummy;

        // Columns per component, with missing ones collected for one message.
        var missing = new List<string>();
        var warnings = new List<string>();
        var fromStrategy = new List<string>();
        void Need(IEnumerable<string> columns, string component)
        {
            foreach (var c in columns)
            {
                if (confounds.CanProvide(c)) fromStrategy.Add(c);
                else missing.Add($"{ConfoundNames.DescribeMissing(c, confounds.Columns)} for {component}");
            }
        }
        if (Has(NoiseComponents.Motion)) Need(ConfoundStrategy.Expand(ConfoundNames.Motion, strategy.Motion), "motion");
        if (Has(NoiseComponents.HighPass)) fromStrategy.AddRange(confounds.Columns.Where(c => c.Contains("cosine", StringComparison.Ordinal)));
        if (Has(NoiseComponents.WmCsf)) Need(ConfoundStrategy.Expand(["csf", "white_matter"], strategy.WmCsf), "wm_csf");
        if (Has(NoiseComponents.GlobalSignal)) Need(ConfoundStrategy.Expand(["global_signal"], strategy.GlobalSignal), "global_signal");
        if (Has(NoiseComponents.Compcor))
        {
            if (confounds.JsonPath is null)
                throw new NiSharpException(file, "CompCor needs the confounds JSON beside the TSV (fMRIPrep ≥ 1.4); none was found");
            var cc = CompCor.Columns(confounds.Metadata, strategy.Compcor, strategy.NCompcor, confounds.JsonPath, warnings);
            if (cc.Count == 0) missing.Add($"CompCor components ({ConfoundStrategy.CompcorName(strategy.Compcor)}) in the JSON");
            Need(cc, "compcor");
        }
        if (Has(NoiseComponents.IcaAroma) && strategy.IcaAroma == IcaAromaMode.Basic)
        {
            var aroma = confounds.Columns.Where(c => c.Contains("aroma", StringComparison.Ordinal)).ToList();
            if (aroma.Count == 0) missing.Add("ICA-AROMA columns (aroma_motion_*) for ica_aroma");
            fromStrategy.AddRange(aroma);
        }
        var explicitColumns = new List<string>();
        foreach (var raw in strategy.Columns)
        {
            var c = ConfoundNames.ToCurrent(raw.Trim());
            if (confounds.CanProvide(c)) explicitColumns.Add(c);
            else missing.Add(ConfoundNames.DescribeMissing(c, confounds.Columns));
        }
        if (strategy.Derivatives)
        {
            foreach (var c in explicitColumns.ToList())
            {
                var d = c + "_derivative1";
                if (!confounds.CanProvide(d)) missing.Add(ConfoundNames.DescribeMissing(d, confounds.Columns));
                else explicitColumns.Add(d);
            }
        }
        int[] scrubbed = [];
        if (Has(NoiseComponents.Scrub))
        {
            foreach (var c in new[] { "framewise_displacement", "std_dvars" })
                if (!confounds.Has(c)) missing.Add($"{ConfoundNames.DescribeMissing(c, confounds.Columns)} for scrub");
        }
        if (missing.Count > 0)
            throw new NiSharpException(file, $"missing column{(missing.Count > 1 ? "s" : "")}: {string.Join("; ", missing)}");
        if (Has(NoiseComponents.Scrub))
        {
            var fd = confounds.Column("framewise_displacement").AsSpan(dummy);
            var dv = confounds.Column("std_dvars").AsSpan(dummy);
            var outliers = Scrubbing.Outliers(fd, dv, strategy.FdThreshold, strategy.StdDvarsThreshold);
            scrubbed = strategy.Scrub > 0 && outliers.Length > 0 ? Scrubbing.ApplyMinimumSegment(outliers, n, strategy.Scrub) : outliers;
        }

        // Outlier columns never become regressors (nilearn turns them into the sample mask).
        static bool IsOutlier(string c) => c.Contains("motion_outlier", StringComparison.Ordinal) || c.Contains("non_steady_state", StringComparison.Ordinal);
        var columns = fromStrategy.Where(c => !IsOutlier(c)).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var c in explicitColumns)
            if (!columns.Contains(c)) columns.Add(c);

        var censored = new SortedSet<int>(scrubbed);
        var nssKept = nssRows.Where(t => t >= dummy).Select(t => t - dummy).ToList();
        foreach (var t in nssKept) censored.Add(t);
        var keep = Enumerable.Range(0, n).Where(t => !censored.Contains(t)).ToArray();
        if (keep.Length == 0) throw new AllVolumesRemovedException(file, "every volume is censored (non-steady-state or scrubbed); relax the thresholds");

        var m = new SignalMatrix<double>(n, columns.Count);
        var computed = new List<string>();
        for (int j = 0; j < columns.Count; j++)
        {
            var name = columns[j];
            if (confounds.IsComputed(name)) computed.Add(name);
            var v = confounds.Column(name);
            // fMRIPrep's derivatives start with NaN: nilearn fills row 0 from row 1.
            if (double.IsNaN(v[dummy]) && n > 1) v[dummy] = v[dummy + 1];
            for (int t = 0; t < n; t++)
            {
                double x = v[dummy + t];
                if (!double.IsFinite(x))
                    throw new NiSharpException(file, $"column '{confounds.Renamed.GetValueOrDefault(name, name)}' has {(double.IsNaN(x) ? "n/a" : "an infinite value")} in row {dummy + t + 1} (only the first row may be n/a)");
                m[t, j] = x;
            }
        }
        if (strategy.Demean && columns.Count > 0)
        {
            var mean = new double[columns.Count];
            foreach (var t in keep)
                for (int j = 0; j < columns.Count; j++) mean[j] += m[t, j];
            for (int j = 0; j < columns.Count; j++) mean[j] /= keep.Length;
            for (int t = 0; t < n; t++)
                for (int j = 0; j < columns.Count; j++) m[t, j] -= mean[j];
        }
        return new ConfoundSelection
        {
            Columns = columns,
            Regressors = m,
            SampleMask = keep,
            DummyScans = dummy,
            SourceRows = rows,
            ComputedColumns = computed,
            ScrubbedVolumes = scrubbed,
            NonSteadyStateVolumes = nssKept,
            Strategy = strategy,
            SourcePath = file,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// Every numeric column of the file as a regressor (what passing the whole table to nilearn as a
    /// matrix does), after dummy removal, with a NaN first row filled from the second and no demeaning.
    /// </summary>
    public static ConfoundSelection AllColumns(FmriprepConfounds confounds, DummyScans? dummyScans = null)
    {
        var s = Select(confounds, ConfoundPresets.Columns(confounds.Columns, derivatives: false) with { Demean = false, DummyScans = dummyScans });
        // As a plain matrix nothing is censored: the outlier columns are regressors.
        return new ConfoundSelection
        {
            Columns = s.Columns,
            Regressors = s.Regressors,
            SampleMask = Enumerable.Range(0, s.Volumes).ToArray(),
            DummyScans = s.DummyScans,
            SourceRows = s.SourceRows,
            ComputedColumns = s.ComputedColumns,
            ScrubbedVolumes = [],
            NonSteadyStateVolumes = [],
            Strategy = s.Strategy,
            SourcePath = s.SourcePath,
            Warnings = s.Warnings,
        };
    }
}
