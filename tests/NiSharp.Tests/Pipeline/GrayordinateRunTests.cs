using NiSharp.Cifti;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>A small demo with grayordinates (<c>demo --cifti</c>: 4 subjects, 100 time points of the fsLR 91k layout),
/// generated once for <see cref="GrayordinateRunTests"/>, and its participant outputs with <c>--space fsLR</c>.</summary>
public sealed class GrayordinateDemo : IDisposable
{
    private readonly TempDir _root = new();

    public static DemoOptions Options { get; } = new() { Subjects = 4, VoxelSize = 8, Seed = 5, Volumes = 100, Anatomical = false, Cifti = true };

    public GrayordinateDemo()
    {
        Dataset = DemoDataset.Generate(Path.Combine(_root.Path, "data"), Options);
        Results = Path.Combine(_root.Path, "results");
        Run = CliRunner.Run(["run", Dataset.DataDirectory, Results, "participant", "--space", "fsLR"]);
    }

    public DemoDataset Dataset { get; }
    public string Results { get; }
    public CliRunner.Result Run { get; }

    public string NewFolder(string name)
    {
        var p = Path.Combine(_root.Path, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose() => _root.Dispose();
}

/// <summary><c>nisharp run … --space fsLR</c> end to end on the demo's grayordinates: the outputs named as the issue says,
/// the CIFTI files equal to the TSVs, the planted connectome found on the atlas's parcels, and the space/atlas mismatch
/// refused in one line.</summary>
public class GrayordinateRunTests(GrayordinateDemo demo) : IClassFixture<GrayordinateDemo>
{
    private string Prefix(string id) =>
        Directory.GetFiles(Path.Combine(demo.Results, $"sub-{id}", "func"), $"sub-{id}_task-rest_space-fsLR_den-91k_atlas-*_stat-mean_timeseries.tsv").Single()[..^"_stat-mean_timeseries.tsv".Length];

    [Fact]
    public void Run_space_fsLR_writes_the_time_series_and_matrices_also_as_cifti_equal_to_the_tsvs()
    {
        Assert.True(demo.Run.ExitCode == 0, demo.Run.Stdout + demo.Run.Stderr);
        var id = demo.Dataset.Participants[0].Id;
        var prefix = Prefix(id);
        foreach (var suffix in new[] { "_stat-mean_timeseries.json", "_stat-coverage_bold.tsv", "_desc-qc_motion.tsv", "_stat-pearsoncorrelation_relmat.json" })
            Assert.True(File.Exists(prefix + suffix), prefix + suffix);
        Assert.True(File.Exists(Path.Combine(demo.Results, $"sub-{id}", "figures", Path.GetFileName(prefix) + "_report.html")));

        var ts = TsvTable.Read(prefix + "_stat-mean_timeseries.tsv");
        using (var p = CiftiFile.Open(prefix + "_stat-mean_timeseries.ptseries.nii"))
        {
            var parcels = p.Header.Axis<ParcelsAxis>(1, p.Path);
            Assert.Equal(ts.Columns, parcels.Parcels.Select(x => x.Name));
            var values = p.ReadMatrix<float>();
            Assert.Equal(ts.Rows.Count, p.Rows);
            var step = p.Header.Axis<SeriesAxis>(0, p.Path).StepValue;
            Assert.Equal(GrayordinateDemo.Options.RepetitionTime, step, 9);
            for (int j = 0; j < ts.Columns.Count; j++)
            {
                var column = ts.GetNumbers(j);
                for (int t = 0; t < column.Length; t++)
                    Assert.Equal(column[t], values[t * p.Columns + j], 1e-4 * Math.Max(1, Math.Abs(column[t])));
            }
        }
        var relmat = ConnectivityMatrix.Read(prefix + "_stat-pearsoncorrelation_relmat.tsv");
        using (var c = CiftiFile.Open(prefix + "_stat-pearsoncorrelation_relmat.pconn.nii"))
        {
            Assert.Equal(CiftiKind.ParcelConnectivity.Extension, CiftiKind.Of(c.Header.Axes).Extension);
            var values = c.ReadMatrix<float>();
            int n = relmat.Values.RowCount;
            Assert.Equal(n, c.Rows);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    if (!double.IsNaN(relmat.Values[i, j])) Assert.Equal(relmat.Values[i, j], values[i * n + j], 1e-5);
        }
        Assert.Contains("CIFTI series axis", File.ReadAllText(prefix + "_stat-mean_timeseries.json") + demo.Run.Stdout);
    }

    [Fact]
    public void The_planted_connectome_is_found_on_the_parcels()
    {
        Assert.True(demo.Run.ExitCode == 0, demo.Run.Stdout + demo.Run.Stderr);
        var truth = demo.Dataset.Planted;
        int r = truth.Labels.Count, a = truth.IndexOf(DemoConnectome.LessonEdge.A), b = truth.IndexOf(DemoConnectome.LessonEdge.B);
        double control = 0, patient = 0;
        foreach (var s in demo.Dataset.Participants)
        {
            var m = ConnectivityMatrix.Read(Prefix(s.Id) + "_stat-pearsoncorrelation_relmat.tsv").Values;
            Assert.Equal(NiSharp.Atlases.GrayordinateAtlas.Load(DemoCifti.AtlasName).KeysPresent.Count, m.RowCount); // every parcel has data
            // parcels a and b (in key order) carry the lesson edge's regions; parcels 0 and r the same region
            double edge = m[a, b];
            Assert.True(r < m.RowCount && m[0, r] > 0.8, $"sub-{s.Id}: parcels of one region correlate {(r < m.RowCount ? m[0, r] : double.NaN):0.##}");
            if (s.IsPatient) patient += edge / 2; else control += edge / 2;
        }
        Assert.True(control - patient > 0.25, $"controls {control:0.##}, patients {patient:0.##}");
    }

    [Fact]
    public void A_volume_atlas_on_fsLR_and_a_grayordinate_atlas_on_volumes_are_refused_in_one_line()
    {
        var data = demo.Dataset.DataDirectory;
        var id = demo.Dataset.Participants[0].Id;
        var r1 = CliRunner.Run(["run", data, demo.NewFolder("vol"), "participant", "--participant-label", id, "--space", "fsLR", "--atlas", "yeo7-relabeled"]);
        Assert.Equal(2, r1.ExitCode);
        Assert.Contains("yeo7-relabeled: is a volume atlas; --space fsLR parcellates grayordinates", r1.Stderr);
        Assert.Single(r1.Stderr.Trim().Split('\n'));
        var r2 = CliRunner.Run(["run", data, demo.NewFolder("gray"), "participant", "--participant-label", id, "--atlas", "conte69-composite"]);
        Assert.Equal(2, r2.ExitCode);
        Assert.Contains("conte69-composite: is a grayordinate (CIFTI) atlas", r2.Stderr);
        Assert.Single(r2.Stderr.Trim().Split('\n'));
    }
}
