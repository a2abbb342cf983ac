using System.Text.Json;
using CsCheck;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Maskers;

/// <summary>Labels masker behaviour on constructed data with known answers, the lesson's atlas, errors and invariants.</summary>
public class LabelsMaskerTests
{
    /// <summary>A 4×3×2 grid (1 mm) with labels 5, 9 and 12, and label 7 named in the table only.</summary>
    private static Atlas SmallAtlas()
    {
        int[] labels =
        [
            5, 5, 9, 9,
            5, 0, 9, 0,
            12, 12, 0, 0,
            5, 5, 9, 9,
            5, 0, 9, 0,
            12, 12, 0, 0,
        ];
        var img = new Image<int>([4, 3, 2], Affine.Identity, labels);
        var table = new LabelTable([new AtlasLabel(5, "five", "Vis"), new AtlasLabel(7, "seven"), new AtlasLabel(9, "nine", "Default"), new AtlasLabel(12, "twelve")]);
        return Atlas.FromImage(img, table, "small");
    }

    /// <summary>Volume t holds voxel index v as v + 100·t.</summary>
    private static Image<float> IndexData(int volumes = 3)
    {
        var data = new float[24 * volumes];
        for (int t = 0; t < volumes; t++)
            for (int v = 0; v < 24; v++) data[t * 24 + v] = v + 100 * t;
        return new Image<float>([4, 3, 2, volumes], Affine.Identity, data, new NiftiHeader { Pixdim = [1, 1, 1, 1, 2, 1, 1, 1] });
    }

    [Fact]
    public void Mean_of_each_label_with_ids_names_and_networks()
    {
        var r = new LabelsMasker(SmallAtlas()).FitTransform(IndexData());
        // label 5: voxels 0,1,4,12,13,16 → mean 46/6; label 9: 2,3,6,14,15,18 → 58/6; label 12: 8,9,20,21 → 58/4
        Assert.Equal([5, 9, 12], r.LabelIds);
        Assert.Equal(["five", "nine", "twelve"], r.ColumnNames);
        Assert.Equal(["Vis", "Default", null], r.Regions.Select(x => x.Network));
        for (int t = 0; t < 3; t++)
        {
            Assert.Equal((float)(46.0 / 6 + 100 * t), r.Values[t, 0]);
            Assert.Equal((float)(58.0 / 6 + 100 * t), r.Values[t, 1]);
            Assert.Equal((float)(58.0 / 4 + 100 * t), r.Values[t, 2]);
        }
    }

    [Fact]
    public void Nan_and_infinite_voxels_count_as_zero()
    {
        var data = IndexData(1);
        data.Data[0] = float.NaN;        // label 5
        data.Data[2] = float.PositiveInfinity; // label 9
        var r = new LabelsMasker(SmallAtlas()).FitTransform(data);
        Assert.Equal((float)(46.0 / 6), r.Values[0, 0]);
        Assert.Equal((float)(56.0 / 6), r.Values[0, 1]);
    }

    [Fact]
    public void Masked_out_label_is_kept_as_nan_zero_or_dropped_with_its_coverage()
    {
        var mask = new byte[24];
        for (int v = 0; v < 24; v++) mask[v] = 1;
        foreach (var v in new[] { 8, 9, 20, 21 }) mask[v] = 0;  // all of label 12
        mask[0] = 0;                                            // one voxel of label 5
        var maskImg = new Image<byte>([4, 3, 2], Affine.Identity, mask);
        var o = new LabelsMaskerOptions { Atlas = SmallAtlas(), MaskImg = maskImg };

        var nan = new LabelsMasker(o).FitTransform(IndexData());
        Assert.Equal([5, 9, 12], nan.LabelIds);
        Assert.Equal((float)(46.0 / 5), nan.Values[0, 0]);
        Assert.True(double.IsNaN(nan.Values[0, 2]));
        var c5 = nan.Coverage[0];
        Assert.Equal((6.0, 6, 5, 5.0 / 6, RegionStatus.Extracted), (c5.AtlasVoxels, c5.GridVoxels, c5.MaskVoxels, c5.Coverage, c5.Status));
        Assert.Equal(RegionStatus.OutsideMask, nan.Coverage[2].Status);
        Assert.Contains(nan.Warnings, w => w.Contains("12 (outside_mask)"));

        var zero = new LabelsMasker(o with { KeepEmpty = KeepEmpty.Zero }).FitTransform(IndexData());
        Assert.Equal(0, zero.Values[1, 2]);
        var drop = new LabelsMasker(o with { KeepEmpty = KeepEmpty.Drop }).FitTransform(IndexData());
        Assert.Equal([5, 9], drop.LabelIds);
        Assert.Equal(3, drop.Coverage.Count);

        // XCP-D's threshold: label 5 covers 5/6 of its voxels
        var strict = new LabelsMasker(o with { MinCoverage = 0.9 }).FitTransform(IndexData());
        Assert.Equal(RegionStatus.BelowMinCoverage, strict.Coverage[0].Status);
        Assert.True(double.IsNaN(strict.Values[0, 0]));
        Assert.Equal((float)(58.0 / 6), strict.Values[0, 1]);
    }

    [Fact]
    public void Coverage_counts_atlas_voxels_in_data_voxels_when_the_grids_differ()
    {
        // the atlas at 1 mm, the data at 2 mm on a grid that sees x = 0 only
        var atlas = SmallAtlas();
        var grid = new Grid(1, 2, 1, Affine.Diagonal(2, 2, 2));
        var data = new Image<float>([1, 2, 1, 2], grid.Affine, [1, 2, 3, 4]);
        var fit = new LabelsMasker(atlas).Fit(grid);
        // nearest: data voxel (0,0,0) ← atlas voxel (0,0,0) = 5, data voxel (0,1,0) ← atlas (0,2,0) = 12
        Assert.Equal([5, 12], fit.ResampledLabels.Data);
        var c = fit.Coverage;
        Assert.Equal(6.0 / 8, c[0].AtlasVoxels);
        Assert.Equal(1, c[0].GridVoxels);
        Assert.Equal(RegionStatus.NotOnDataGrid, c[1].Status); // label 9 is at x ≥ 2 mm
        var r = new LabelsMasker(atlas).FitTransform(data);
        Assert.Equal([1f, 3f], r.Values.Column(0).Select(x => (float)x));
        Assert.True(double.IsNaN(r.Values[0, 1]));
        Assert.Equal([2f, 4f], r.Values.Column(2).Select(x => (float)x));
    }

    [Fact]
    public void The_atlas_is_resampled_once_per_grid()
    {
        var masker = new LabelsMasker(SmallAtlas());
        var g1 = new Grid(2, 2, 1, Affine.Diagonal(2, 2, 2));
        var g1Again = new Grid(2, 2, 1, Affine.Diagonal(2, 2, 2.0000001));
        var g2 = new Grid(2, 2, 1, Affine.Diagonal(1.5, 1.5, 1.5));
        Assert.Same(masker.Fit(g1), masker.Fit(g1Again));
        Assert.NotSame(masker.Fit(g1), masker.Fit(g2));
        var fits = new FittedLabels[8];
        Parallel.For(0, fits.Length, i => fits[i] = masker.Fit(g2));
        Assert.All(fits, f => Assert.Same(fits[0], f));
    }

    [Fact]
    public void Dummy_volumes_and_sample_mask_pick_the_rows()
    {
        var inputs = new MaskerInputs { DummyScans = 1, SampleMask = [0, 2, 3] };
        var r = new LabelsMasker(SmallAtlas()).FitTransform(IndexData(5), inputs);
        Assert.Equal([1, 3, 4], r.KeptVolumes);
        Assert.Equal([2], r.CensoredVolumes);
        Assert.Equal(new[] { 46.0 / 6 + 100, 46.0 / 6 + 300, 46.0 / 6 + 400 }.Select(x => (double)(float)x), r.Values.Column(0));
    }

    [Fact]
    public void Lesson_relabelled_yeo_on_the_3mm_grid_keeps_vanished_labels_as_nan_columns()
    {
        var reference = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("maskers", "ref_yeo_relabeled_on_lesson_grid.json"))).RootElement;
        int[] Ints(string key) => reference.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var atlas = Atlas.Load("yeo7-relabeled");
        Assert.Equal(Ints("atlas_labels"), atlas.LabelsPresent);

        int nx = 65, ny = 77, nz = 49, nt = 2, n = nx * ny * nz;
        var data = new float[n * nt];
        for (int t = 0; t < nt; t++) Array.Fill(data, 10f + t, t * n, n);
        var bold = new Image<float>([nx, ny, nz, nt], Affine.Diagonal(3, 3, 3, -96, -132, -78), data);
        var masker = new LabelsMasker(atlas);

        var r = masker.FitTransform(bold);
        Assert.Equal(Ints("atlas_labels"), r.LabelIds);               // 49 columns, label ids in order
        Assert.Equal("label_44", r.ColumnNames[r.ColumnOf(44)]);
        Assert.Equal("Default", r.Regions[r.ColumnOf(44)].Network);
        foreach (var id in Ints("vanished"))                          // 3, 39, 48
        {
            int c = r.ColumnOf(id);
            Assert.All(r.Values.Column(c), v => Assert.True(double.IsNaN(v)));
            Assert.Equal(RegionStatus.NotOnDataGrid, r.Coverage[c].Status);
            Assert.True(r.Coverage[c].AtlasVoxels > 0);
        }
        foreach (var id in Ints("labels_on_grid"))
            Assert.Equal([10.0, 11.0], r.Values.Column(r.ColumnOf(id)));

        // drop gives nilearn's labels_
        var drop = new LabelsMasker(new LabelsMaskerOptions { Atlas = atlas, KeepEmpty = KeepEmpty.Drop }).FitTransform(bold);
        Assert.Equal(Ints("labels_on_grid"), drop.LabelIds);
    }

    [Fact]
    public void File_and_memory_give_the_same_signals()
    {
        using var dir = new TempDir();
        var img = IndexData(4);
        var path = dir.File("bold.nii.gz");
        img.Save(path);
        var masker = new LabelsMasker(SmallAtlas());
        Assert.Equal(masker.FitTransform(img).Values.Data, masker.FitTransform(path).Values.Data);
    }

    [Fact]
    public void Float64_data_give_float64_signals()
    {
        var img = IndexData(2);
        var r = new LabelsMasker(SmallAtlas()).FitTransform(img.As<double>());
        Assert.Equal("float64", r.DataType);
        Assert.Equal(46.0 / 6, r.Values[0, 0]);
    }

    [Fact]
    public void Every_strategy_on_random_labels_agrees_with_a_direct_computation()
    {
        Gen.Select(Gen.Int[0, 4].Array[60], Gen.Float[-50, 50].Array[120], Gen.Int[0, 6]).Sample((labels, values, s) =>
        {
            if (!labels.Any(l => l != 0)) return;
            var strategy = (ReductionStrategy)s;
            var atlas = Atlas.FromImage(new Image<int>([5, 4, 3], Affine.Identity, labels));
            var data = new Image<float>([5, 4, 3, 2], Affine.Identity, values);
            var r = new LabelsMasker(new LabelsMaskerOptions { Atlas = atlas, Strategy = strategy }).FitTransform(data);
            var ids = labels.Where(l => l != 0).Distinct().Order().ToArray();
            Assert.Equal(ids, r.LabelIds);
            for (int t = 0; t < 2; t++)
                for (int c = 0; c < ids.Length; c++)
                {
                    var v = Enumerable.Range(0, 60).Where(i => labels[i] == ids[c]).Select(i => (double)values[t * 60 + i]).Order().ToArray();
                    double mean = v.Average(), variance = v.Select(x => (x - mean) * (x - mean)).Average();
                    double expected = strategy switch
                    {
                        ReductionStrategy.Mean => mean,
                        ReductionStrategy.Sum => v.Sum(),
                        ReductionStrategy.Minimum => v[0],
                        ReductionStrategy.Maximum => v[^1],
                        ReductionStrategy.Variance => variance,
                        ReductionStrategy.StandardDeviation => Math.Sqrt(variance),
                        _ => v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2,
                    };
                    Assert.Equal((float)expected, (float)r.Values[t, c], 1e-3f);
                }
        }, iter: 200);
    }

    [Fact]
    public void Keep_empty_modes_agree_on_the_extracted_columns()
    {
        Gen.Select(Gen.Int[0, 5].Array[24], Gen.Int[0, 1].Array[24]).Sample((labels, maskBits) =>
        {
            if (!labels.Any(l => l != 0) || !maskBits.Any(b => b != 0)) return;
            var atlas = Atlas.FromImage(new Image<int>([4, 3, 2], Affine.Identity, labels));
            var mask = new Image<byte>([4, 3, 2], Affine.Identity, maskBits.Select(b => (byte)b).ToArray());
            var o = new LabelsMaskerOptions { Atlas = atlas, MaskImg = mask };
            var data = IndexData();
            var nan = new LabelsMasker(o).FitTransform(data);
            var drop = new LabelsMasker(o with { KeepEmpty = KeepEmpty.Drop }).FitTransform(data);
            Assert.Equal(atlas.LabelsPresent, nan.LabelIds);
            Assert.Equal(nan.Coverage.Where(c => !c.IsEmpty).Select(c => c.Id), drop.LabelIds);
            foreach (var id in drop.LabelIds)
                Assert.Equal(drop.Values.Column(drop.ColumnOf(id)), nan.Values.Column(nan.ColumnOf(id)));
            foreach (var c in nan.Coverage.Where(c => c.IsEmpty))
                Assert.All(nan.Values.Column(nan.ColumnOf(c.Id)), v => Assert.True(double.IsNaN(v)));
        }, iter: 200);
    }

    [Fact]
    public void Cleaning_uses_the_maskers_parameters()
    {
        var data = IndexData(30);
        var rng = new Random(3);
        for (int i = 0; i < data.Data.Length; i++) data.Data[i] += (float)rng.NextDouble();
        var o = new LabelsMaskerOptions { Atlas = SmallAtlas(), Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample } };
        var cleaned = new LabelsMasker(o).FitTransform(data);
        var raw = new LabelsMasker(SmallAtlas()).FitTransform(data);
        var expected = SignalCleaner.Clean(raw.Values.As<float>(), o.Clean);
        Assert.Equal(expected.As<double>().Data, cleaned.Values.Data);
        Assert.Equal(true, ((Dictionary<string, object?>)cleaned.Parameters["clean"]!)["detrend"]);
    }

    [Fact]
    public void Bad_inputs_fail_with_one_line_naming_the_problem()
    {
        using var dir = new TempDir();
        var path = dir.File("bold.nii.gz");
        IndexData(4).Save(path);
        var masker = new LabelsMasker(SmallAtlas());
        var e = Assert.Throws<NiSharpException>(() => masker.FitTransform(path, new MaskerInputs { Confounds = new SignalMatrix<double>(3, 1) }));
        Assert.Contains("bold.nii.gz", e.Message);
        Assert.Contains("3 rows", e.Message);
        e = Assert.Throws<NiSharpException>(() => masker.FitTransform(path, new MaskerInputs { DummyScans = 4 }));
        Assert.Contains("dummy", e.Message);
        e = Assert.Throws<NiSharpException>(() => masker.FitTransform(path, new MaskerInputs { SampleMask = [0, 7] }));
        Assert.Contains("7", e.Message);
        Assert.Throws<NiSharpException>(() => new LabelsMasker(new LabelsMaskerOptions { Atlas = SmallAtlas(), MinCoverage = 1.5 }));
        Assert.Throws<NiSharpException>(() => new LabelsMasker(new LabelsMaskerOptions { Atlas = SmallAtlas(), Clean = MaskerOptions.DefaultCleaning with { LowPass = 0.1, HighPass = 0.2 } }));
        e = Assert.Throws<NiSharpException>(() => masker.FitTransform(dir.File("missing.nii.gz")));
        Assert.Contains("missing.nii.gz", e.Message);
        // filtering needs a repetition time: the header has none here
        var noTr = new Image<float>([4, 3, 2, 4], Affine.Identity, new float[96], new NiftiHeader { Pixdim = [1, 1, 1, 1, 0, 1, 1, 1] });
        var noTrPath = dir.File("notr.nii");
        noTr.Save(noTrPath);
        var filtering = new LabelsMasker(new LabelsMaskerOptions { Atlas = SmallAtlas(), Clean = MaskerOptions.DefaultCleaning with { LowPass = 0.1 } });
        e = Assert.Throws<NiSharpException>(() => filtering.FitTransform(noTrPath));
        Assert.Contains("repetition time", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_empty_sample_mask_is_AllVolumesRemoved_naming_the_run()
    {
        var masker = new LabelsMasker(new LabelsMaskerOptions { Atlas = MaskerFixtures.Atlas() });
        var e = Assert.Throws<AllVolumesRemovedException>(() => masker.FitTransform(MaskerFixtures.Func, new MaskerInputs { SampleMask = [] }));
        Assert.Equal(MaskerFixtures.Func, e.FilePath);
        Assert.Contains("removes every volume", e.Message);
    }
}
