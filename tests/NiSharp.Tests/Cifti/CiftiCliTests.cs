using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NiSharp.Cifti;
using NiSharp.Connectome;
using NiSharp.IO;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cifti;

/// <summary><c>nisharp extract</c> on a <c>.dtseries.nii</c> (TSV + JSON + ptseries), <c>nisharp info</c> on CIFTI
/// files, <c>nisharp connectivity</c> writing <c>.pconn.nii</c>, and the flags that do not apply to grayordinates.</summary>
public class CiftiCliTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Ok(CliRunner.Result r) => Assert.True(r.ExitCode == 0, r.Stderr);

    private static void FailsWith(CliRunner.Result r, string fragment)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(fragment, r.Stderr);
    }

    private static double[] Values(TsvTable t) =>
        t.Rows.SelectMany(row => row.Select(c => c == "n/a" ? double.NaN : double.Parse(c, CultureInfo.InvariantCulture))).ToArray();

    [Fact]
    public void Extract_writes_the_time_series_its_sidecar_and_the_ptseries_workbench_wrote()
    {
        var ts = _dir.File("conte.tsv");
        var r = CliRunner.Run("extract", CiftiFixtures.WorkbenchDtseries, "--atlas", "conte69-composite", "-o", ts);
        Ok(r);
        Assert.Contains("2 volumes × 54 regions (grayordinate labels)", r.Stdout);
        Assert.Contains(_dir.File("conte.ptseries.nii") + ": the same signals as a CIFTI parcellated time series", r.Stdout);

        using var wb = CiftiFile.Open(CiftiFixtures.WorkbenchPtseries);
        var table = TsvTable.Read(ts);
        Assert.Equal(wb.Header.Axis<ParcelsAxis>(1, wb.Path).Parcels.Select(p => p.Name), table.Columns);
        Approx.Equal(wb.ReadMatrix<double>(), Values(table), rtol: 0, atol: 1e-5, what: "tsv vs Workbench");
        using (var ours = CiftiFile.Open(_dir.File("conte.ptseries.nii")))
        {
            Approx.Equal(wb.ReadMatrix<double>(), ours.ReadMatrix<double>(), rtol: 0, atol: 1e-5, what: "ptseries vs Workbench");
            Assert.Equal("ConnParcelSries", ours.NiftiHeader.IntentName);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(_dir.File("conte.json")));
        var masker = json.RootElement.GetProperty("masker");
        Assert.Equal("GrayordinateLabelsMasker", masker.GetProperty("masker").GetString());
        Assert.Equal(1, masker.GetProperty("atlas_map").GetInt32());
        Assert.Equal("mean", masker.GetProperty("strategy").GetString());
        Assert.Equal(54, json.RootElement.GetProperty("RegionLabelIds").GetArrayLength());
        // the connectome layer reads it with the keys as label ids
        Assert.Equal(95, RegionTimeSeries.Read(ts).Regions[^1].LabelId);
    }

    [Fact]
    public void Extract_with_a_dlabel_file_another_map_a_strategy_and_coverage()
    {
        var ts = _dir.File("brodmann.tsv");
        Ok(CliRunner.Run("extract", CiftiFixtures.WorkbenchDtseries, "--atlas", CiftiFixtures.Conte69Dlabel, "--atlas-map", "2",
            "--strategy", "median", "--min-coverage", "0.5", "--coverage-out", _dir.File("cov.tsv"), "-o", ts));
        var table = TsvTable.Read(ts);
        Assert.Equal(42, table.Columns.Count);
        Assert.Equal("MEDIAL.WALL", table.Columns[0]);
        Assert.Equal("n/a", table.Rows[0][0]); // the data leave out most of the medial wall: below 50% coverage
        var coverage = TsvTable.Read(_dir.File("cov.tsv"));
        Assert.Equal("below_min_coverage", coverage.Rows[0][coverage.Columns.ToList().IndexOf("status")]);
        using var ptseries = CiftiFile.Open(_dir.File("brodmann.ptseries.nii"));
        Assert.Equal(42, ptseries.Columns);
    }

    [Fact]
    public void Flags_and_atlases_that_do_not_fit_grayordinates_are_refused()
    {
        var dt = CiftiFixtures.WorkbenchDtseries;
        FailsWith(CliRunner.Run("extract", dt, "--atlas", "schaefer100-7", "-o", _dir.File("a.tsv")), "is CIFTI grayordinates: --atlas must be a grayordinate atlas");
        FailsWith(CliRunner.Run("extract", dt, "--atlas", "conte69-composite", "--mask", dt, "-o", _dir.File("a.tsv")), "--mask is a voxel mask");
        FailsWith(CliRunner.Run("extract", dt, "--atlas", "conte69-composite", "--smoothing-fwhm", "6", "-o", _dir.File("a.tsv")), "wb_command -cifti-smoothing");
        FailsWith(CliRunner.Run("extract", dt, "--atlas", "conte69-composite", "--atlas-map", "7", "-o", _dir.File("a.tsv")), "has no label map 7");
        var bold = TestPaths.Data("samples", "nipy_functional.nii.gz");
        FailsWith(CliRunner.Run("extract", bold, "--atlas", "conte69-composite", "-o", _dir.File("a.tsv")), "is a grayordinate (CIFTI) atlas: it parcellates a .dtseries.nii");
        FailsWith(CliRunner.Run("extract", bold, "--atlas", "schaefer100-7", "--atlas-map", "1", "-o", _dir.File("a.tsv")), "--atlas-map picks a map of a .dlabel.nii");
        var confounds = _dir.File("confounds.tsv");
        File.WriteAllText(confounds, "a\n1\n2\n3\n");
        FailsWith(CliRunner.Run("extract", dt, "--atlas", "conte69-composite", "--confounds", confounds, "-o", _dir.File("a.tsv")), "the confounds have 3 rows but Conte69.MyelinAndCorrThickness.32k_fs_LR.dtseries.nii.gz has 2 volumes");
        Assert.False(File.Exists(_dir.File("a.tsv")));
        Assert.False(File.Exists(_dir.File("a.ptseries.nii")));
    }

    [Fact]
    public void Info_shows_the_axes_in_text_and_json()
    {
        var r = CliRunner.Run("info", CiftiFixtures.WorkbenchDtseries, CiftiFixtures.Conte69Dlabel, CiftiFixtures.Fslr91k);
        Ok(r);
        Assert.Contains("CIFTI-2      dense time series (.dtseries.nii, intent 3002 ConnDenseSeries), matrix 2 × 60951", r.Stdout);
        Assert.Contains("dim 0        series: 2 points, start 0, step 1 (SECOND)", r.Stdout);
        Assert.Contains("CORTEX_LEFT                         30424 of 32492 vertices", r.Stdout);
        Assert.Contains("2. Brodmann lh (from colin.R via pals_R-to-fs_LR) (95 labels)", r.Stdout);
        Assert.Contains("THALAMUS_RIGHT                       1248 voxels", r.Stdout);
        Assert.Contains("volume 91×109×91 at 2 mm", r.Stdout);

        var j = CliRunner.Run("info", CiftiFixtures.WorkbenchPtseries, "--json");
        Ok(j);
        var node = JsonNode.Parse(j.Stdout)!;
        Assert.Equal(1.0, node["repetition_time"]!.GetValue<double>());
        Assert.Equal(2, node["volumes"]!.GetValue<int>());
        var axes = node["cifti"]!["axes"]!.AsArray();
        Assert.Equal("series", axes[0]!["type"]!.GetValue<string>());
        Assert.Equal(1.0, axes[0]!["step"]!.GetValue<double>());
        Assert.Equal(54, axes[1]!["parcels"]!.AsArray().Count);
        Assert.Equal("MEDIAL.WALL", axes[1]!["parcels"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(1529, axes[1]!["parcels"]![0]!["vertices"]!.GetValue<int>());
    }

    [Fact]
    public void Connectivity_of_grayordinate_time_series_writes_pconn_files()
    {
        var data = CiftiFixtures.SmallGrayordinates();
        var atlas = CiftiFixtures.WriteDlabel(_dir.File("small.dlabel.nii"), data, [1, 1, 0, 1, 1, 1, 2, 2, 0, 2, 2, 3, 3, 3, 3, 0, 3]);
        foreach (var s in new[] { "a", "b" })
        {
            var dt = CiftiFixtures.WriteDtseries(_dir.File($"{s}.dtseries.nii"), data, 30, (t, g) => (float)Math.Sin(t * (g % 5 + 1) * 0.3 + s[0] + g));
            Ok(CliRunner.Run("extract", dt, "--atlas", atlas, "-o", _dir.File($"{s}.tsv")));
        }
        var outDir = _dir.File("conn");
        var r = CliRunner.Run("connectivity", _dir.File("a.tsv"), _dir.File("b.tsv"), "--kind", "correlation", "-o", outDir);
        Ok(r);
        Assert.Contains("a_relmat.tsv + a_relmat.pconn.nii", r.Stdout);
        Assert.Contains("group_mean_relmat.tsv + group_mean_relmat.pconn.nii", r.Stdout);
        foreach (var stem in new[] { "a", "b", "group_mean" })
        {
            using var f = CiftiFile.Open(Path.Combine(outDir, stem + "_relmat.pconn.nii"));
            Assert.Equal(CiftiKind.ParcelConnectivity, f.Kind);
            Assert.Same(f.Axes[0], f.Axes[1]); // one index map for both dimensions
            Assert.Equal(["Left", "Right", "Deep"], ((ParcelsAxis)f.Axes[0]).Parcels.Select(p => p.Name));
            var relmat = ConnectivityMatrix.Read(Path.Combine(outDir, stem + "_relmat.tsv"));
            Approx.Equal(relmat.Values.ToRowMajorArray(), f.ReadMatrix<double>(), rtol: 1e-6, atol: 1e-7, what: stem);
        }
        // a ptseries that does not match its TSV is an error, not a silent pconn of other parcels
        File.Copy(_dir.File("a.ptseries.nii"), _dir.File("c.ptseries.nii"));
        var table = File.ReadAllLines(_dir.File("a.tsv"));
        table[0] = table[0].Replace("Deep", "Elsewhere");
        File.WriteAllLines(_dir.File("c.tsv"), table);
        FailsWith(CliRunner.Run("connectivity", _dir.File("c.tsv"), "--kind", "correlation", "-o", _dir.File("conn2")), "its 3 parcels are not the 3 columns of c.tsv");
    }

    [Fact]
    public void Atlases_lists_shows_and_exports_the_grayordinate_atlases()
    {
        var r = CliRunner.Run("atlases");
        Ok(r);
        Assert.Contains("conte69-composite     54 labels  fsLR 32k (both hemispheres), map 1", r.Stdout);
        var show = CliRunner.Run("atlases", "conte69-brodmann");
        Ok(show);
        Assert.Contains("labels   42", show.Stdout);
        var path = _dir.File("conte69.dlabel.nii");
        Ok(CliRunner.Run("atlases", "conte69-composite", "-o", path));
        using var f = CiftiFile.Open(path);
        using var bundled = CiftiFile.Open(CiftiFixtures.Conte69Dlabel);
        Assert.Equal(bundled.ReadMatrix<float>(), f.ReadMatrix<float>());
        Assert.Equal(3, f.Header.Axis<LabelAxis>(0, path).Maps.Count);
    }
}
