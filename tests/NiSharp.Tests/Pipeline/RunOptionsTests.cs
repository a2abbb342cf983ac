using CsCheck;
using NiSharp.Bids;
using NiSharp.Connectome;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>Names, options and filters of <c>nisharp run</c>, without running it.</summary>
public class RunOptionsTests
{
    [Theory]
    [InlineData(ConnectivityKind.Correlation, "pearsoncorrelation")]
    [InlineData(ConnectivityKind.PartialCorrelation, "partialcorrelation")]
    [InlineData(ConnectivityKind.Tangent, "tangent")]
    [InlineData(ConnectivityKind.Covariance, "covariance")]
    [InlineData(ConnectivityKind.Precision, "precision")]
    public void Stat_labels_are_the_issue_names(ConnectivityKind kind, string stat) =>
        Assert.Equal(stat, DerivativeNames.StatLabel(kind));

    [Theory]
    [InlineData("yeo7-relabeled", "Yeo7relabeled")]
    [InlineData("yeo7_relabelled", "Yeo7relabeled")]
    [InlineData("schaefer100-7", "Schaefer100n7")]
    [InlineData("schaefer400-7", "Schaefer400n7")]
    [InlineData("yeo17-thick", "Yeo17thick")]
    [InlineData("aal", "AAL")]
    [InlineData("harvard-oxford", "HOCPA")]
    public void Bundled_atlases_get_bids_labels(string atlas, string label) =>
        Assert.Equal(label, DerivativeNames.AtlasLabel(atlas));

    [Fact]
    public void Atlas_labels_from_file_names_are_alphanumeric_or_refused()
    {
        Gen.String.Sample(name =>
        {
            var file = "/nonexistent/" + name.Replace('/', '_') + ".nii.gz";
            try
            {
                var label = DerivativeNames.AtlasLabel(file);
                Assert.NotEmpty(label);
                Assert.True(label.All(char.IsAsciiLetterOrDigit), label);
            }
            catch (NiSharpException e)
            {
                Assert.Contains("cannot make a BIDS atlas label", e.Message);
            }
        });
    }

    [Fact]
    public void Participant_labels_mean_the_same_with_or_without_sub()
    {
        Gen.String[Gen.Char.AlphaNumeric, 1, 12].Sample(label =>
        {
            Assert.Equal(label, RunOptions.NormalizeLabel(label));
            Assert.Equal(label, RunOptions.NormalizeLabel("sub-" + label));
            Assert.Equal(label, RunOptions.NormalizeLabel(" sub-" + label + " "));
        });
        Assert.Throws<NiSharpException>(() => RunOptions.NormalizeLabel("sub-"));
        Assert.Throws<NiSharpException>(() => RunOptions.NormalizeLabel("01_x"));
    }

    [Fact]
    public void Defaults_are_the_lessons_analysis()
    {
        using var input = new TempDir();
        using var output = new TempDir();
        var o = new RunOptions { InputDirectory = input.Path, OutputDirectory = output.Path }.Validate();
        Assert.Equal(["yeo7-relabeled"], o.Atlases);
        Assert.Equal("yeo2011", o.Strategy);
        Assert.True(o.DummyScans.IsAuto);
        Assert.Equal((0.009, 0.08), (o.Clean.HighPass, o.Clean.LowPass));
        Assert.True(o.Clean.Detrend);
        Assert.Equal(NiSharp.Signal.StandardizeMethod.ZScoreSample, o.Clean.Standardize);
        Assert.Equal([ConnectivityKind.Correlation], o.Kinds);
        Assert.Equal("MNI152NLin2009cAsym", o.Space);
        var strategy = o.ConfoundStrategy();
        Assert.Equal("yeo2011", strategy.Name);
        Assert.True(strategy.DummyScans!.IsAuto);
    }

    [Fact]
    public void A_symbolic_link_cannot_hide_an_output_inside_the_input()
    {
        using var dir = new TempDir();
        var input = Directory.CreateDirectory(dir.File("input")).FullName;
        var link = dir.File("link");
        Directory.CreateSymbolicLink(link, input);
        var e = Assert.Throws<NiSharpException>(() => new RunOptions { InputDirectory = input, OutputDirectory = Path.Combine(link, "out") }.Validate());
        Assert.Contains("inside the input folder", e.Message);
    }

    [Fact]
    public void Bids_filter_files_select_bold_runs_as_fmriprep_does()
    {
        using var dir = new TempDir();
        var path = dir.File("filter.json");
        File.WriteAllText(path, """{"bold": {"session": "1", "run": [1, 2], "acquisition": null}, "t1w": {"session": "1"}}""");
        var q = RunSelection.ReadFilter(path);
        Assert.Equal(3, q.Filters.Count);
        var keys = q.Filters.Select(f => f.Key).ToList();
        Assert.Equal(["ses", "run", "acq"], keys);

        File.WriteAllText(path, """{"bold": {"colour": "blue"}}""");
        Assert.Contains("unknown entity 'colour'", Assert.Throws<NiSharpException>(() => RunSelection.ReadFilter(path)).Message);
        File.WriteAllText(path, """{"bold": {"session": {"x": 1}}}""");
        Assert.Contains("must be a label", Assert.Throws<NiSharpException>(() => RunSelection.ReadFilter(path)).Message);
        File.WriteAllText(path, "not json");
        Assert.Contains(path, Assert.Throws<NiSharpException>(() => RunSelection.ReadFilter(path)).Message);
    }

    [Fact]
    public void The_parameters_hash_changes_with_every_analysis_parameter_and_not_with_jobs()
    {
        using var dir = new TempDir();
        var o = new RunOptions { InputDirectory = dir.Path, OutputDirectory = dir.File("out") };
        var atlas = NiSharp.Atlases.Atlas.Load("yeo7-relabeled");
        string H(RunOptions x) => new Provenance(x, "Yeo7relabeled", x.MaskerOptions(atlas)).ParametersHash;
        var baseline = H(o);
        Assert.Equal(baseline, H(o with { Jobs = 1 }));
        Assert.Equal(baseline, H(o with { Reports = false }));
        Assert.Equal(baseline, H(o with { ParticipantLabels = ["01"] }));
        Assert.Equal(baseline, H(o with { SmoothingFwhm = NiSharp.Imaging.Fwhm.Of(0) }));
        var changed = new[]
        {
            o with { Strategy = "simple" }, o with { DummyScans = NiSharp.Confounds.DummyScans.Fixed(4) }, o with { Clean = o.Clean with { LowPass = 0.1 } },
            o with { Clean = o.Clean with { HighPass = null } }, o with { Clean = o.Clean with { Detrend = false } },
            o with { Clean = o.Clean with { Standardize = NiSharp.Signal.StandardizeMethod.ZScore } },
            o with { Kinds = [ConnectivityKind.Covariance] }, o with { Space = "T1w" },
            o with { SmoothingFwhm = NiSharp.Imaging.Fwhm.Of(6) }, o with { SmoothingFwhm = NiSharp.Imaging.Fwhm.Fast },
            o with { HighVarianceConfounds = true }, o with { Clean = o.Clean with { Extrapolate = true } },
            o with { Clean = o.Clean with { CensoredInterpolation = NiSharp.Signal.CensoredInterpolation.NilearnIndexMask } },
            o with { Clean = o.Clean with { Semantics = NiSharp.Signal.NilearnSemantics.V0_10_4 } },
        };
        Assert.Equal(changed.Length, changed.Select(H).Append(baseline).Distinct().Count() - 1);
    }

    [Fact]
    public void Run_outputs_are_named_from_the_bold_entities()
    {
        using var dir = new TempDir();
        var func = Directory.CreateDirectory(dir.File("sub-01/ses-2/func")).FullName;
        var bold = Path.Combine(func, "sub-01_ses-2_task-rest_acq-mb_run-3_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold.nii.gz");
        File.WriteAllBytes(bold, []);
        var run = BidsLayout.Index(dir.Path).GetBoldRuns().Single();
        var outputs = new RunOutputs(DerivativeNames.RunDirectory("/out", run), DerivativeNames.RunPrefix(run, "Schaefer100n7"));
        const string prefix = "/out/sub-01/ses-2/func/sub-01_ses-2_task-rest_acq-mb_run-3_space-MNI152NLin2009cAsym_res-2_atlas-Schaefer100n7";
        Assert.Equal(prefix + "_stat-mean_timeseries.tsv", outputs.TimeSeries);
        Assert.Equal(prefix + "_stat-mean_timeseries.json", outputs.TimeSeriesSidecar);
        Assert.Equal(prefix + "_stat-coverage_bold.tsv", outputs.Coverage);
        Assert.Equal(prefix + "_stat-pearsoncorrelation_relmat.tsv", outputs.Relmat(ConnectivityKind.Correlation));
        Assert.Equal(prefix + "_stat-partialcorrelation_relmat.json", outputs.RelmatSidecar(ConnectivityKind.PartialCorrelation));
        Assert.Equal("/out/sub-01/ses-2/figures/sub-01_ses-2_task-rest_acq-mb_run-3_space-MNI152NLin2009cAsym_res-2_atlas-Schaefer100n7_report.html", outputs.Report);
    }
}
