using NiSharp.Atlases;
using NiSharp.Cifti;
using NiSharp.Imaging;
using NiSharp.Maskers;
using NiSharp.Nifti;
using NiSharp.Signal;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cifti;

/// <summary>
/// Parcellation of grayordinates as Workbench's <c>-cifti-parcellate</c>: Workbench's own ptseries reproduced,
/// grayordinates matched by structure and vertex (or voxel) whatever their positions, every reduction, coverage and
/// empty parcels, the volume maskers' cleaning unchanged, the errors, and memory of a few time points.
/// </summary>
public class GrayordinateMaskerTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void AssertMatchesWorkbench(GrayordinateSignals r)
    {
        using var wb = CiftiFile.Open(CiftiFixtures.WorkbenchPtseries);
        var expected = wb.ReadMatrix<double>();
        var parcels = wb.Header.Axis<ParcelsAxis>(1, wb.Path);
        Assert.Equal(parcels.Parcels.Select(p => p.Name), r.Signals.ColumnNames);
        Approx.Equal(expected, r.Signals.Values.Data, rtol: 0, atol: 1e-5, what: "ptseries");
        Assert.True(parcels.SameParcels(r.Parcels), "the parcels (names, vertices) differ from Workbench's");
        var series = wb.Header.Axis<SeriesAxis>(0, wb.Path);
        Assert.Equal((series.Count, series.StartValue, series.StepValue, series.Unit), (r.Series.Count, r.Series.StartValue, r.Series.StepValue, r.Series.Unit));
    }

    [Fact]
    public void Workbench_ptseries_is_reproduced_with_the_bundled_atlas()
    {
        var atlas = GrayordinateAtlas.Load("conte69-composite");
        var r = new GrayordinateLabelsMasker(atlas).FitTransform(CiftiFixtures.WorkbenchDtseries);
        AssertMatchesWorkbench(r);
        Assert.Equal("float32", r.Signals.DataType);
        Assert.Equal(atlas.KeysPresent, r.Signals.LabelIds); // the keys the atlas's grayordinates carry, in key order (54 of 96)
        Assert.Equal(54, r.Signals.LabelIds.Length);
        Assert.Equal(95, r.Signals.LabelIds[^1]);
        // written as a ptseries and read back: the same values, parcels and series
        var path = _dir.File("x.ptseries.nii");
        r.WriteParcellatedSeries(path);
        using var f = CiftiFile.Open(path);
        Assert.Equal(CiftiKind.ParcelSeries, f.Kind);
        Assert.Equal(r.Signals.Values.Data, f.ReadMatrix<double>());
        Assert.True(r.Parcels.SameParcels(f.Header.Axis<ParcelsAxis>(1, path)));
    }

    [Fact]
    public void Workbench_ptseries_is_reproduced_with_the_dlabel_file_and_its_map_by_name_or_number()
    {
        foreach (var map in new[] { "1", "Composite Parcellation-lh (FRB08_OFP03_retinotopic)", "composite parcellation-lh (frb08_ofp03_retinotopic)" })
        {
            var atlas = GrayordinateAtlas.Load(CiftiFixtures.Conte69Dlabel, map);
            Assert.Equal(1, atlas.Map);
            AssertMatchesWorkbench(new GrayordinateLabelsMasker(atlas).FitTransform(CiftiFixtures.WorkbenchDtseries));
        }
        var brodmann = GrayordinateAtlas.Load(CiftiFixtures.Conte69Dlabel, "2");
        Assert.Equal("Brodmann lh (from colin.R via pals_R-to-fs_LR)", brodmann.MapName);
        Assert.Equal(42, brodmann.KeysPresent.Count);
        Assert.Equal(brodmann.Keys, GrayordinateAtlas.Load("conte69-brodmann").Keys);
    }

    /// <summary>Atlas keys on <see cref="CiftiFixtures.SmallGrayordinates"/>: Left on the left cortex, Right on the right,
    /// Deep on the voxels, some grayordinates unlabeled.</summary>
    private static readonly int[] SmallKeys = [1, 1, 0, 1, 1, 1, 2, 2, 0, 2, 2, 3, 3, 3, 3, 0, 3];

    private GrayordinateAtlas SmallAtlas() => GrayordinateAtlas.Load(CiftiFixtures.WriteDlabel(_dir.File("small.dlabel.nii"), CiftiFixtures.SmallGrayordinates(), SmallKeys));

    /// <summary>The data's grayordinates in another order and covering other vertices than the atlas: the right cortex
    /// first, vertices in decreasing order, left vertex 1 (unlabeled in the atlas: it has none) added and 9 left out,
    /// the brain-stem voxels before the thalamus ones, reversed.</summary>
    private static BrainModelAxis Shuffled() => new(
    [
        BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_RIGHT", 0, 12, [11, 8, 6, 4, 1]),
        BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_LEFT", 5, 12, [7, 5, 3, 2, 1, 0]),
        BrainModel.Volume("CIFTI_STRUCTURE_BRAIN_STEM", 11, [2, 3, 1, 1, 3, 1, 0, 3, 1]),
        BrainModel.Volume("CIFTI_STRUCTURE_THALAMUS_LEFT", 14, [2, 1, 0, 1, 0, 0, 0, 0, 0]),
    ], CiftiFixtures.Volume);

    /// <summary>The key of each data grayordinate, found the slow way: by structure and vertex, or by IJK.</summary>
    private static int[] KeysByHand(BrainModelAxis data, BrainModelAxis atlas, int[] atlasKeys)
    {
        var byId = new Dictionary<string, int>();
        foreach (var m in atlas.Models)
            for (int i = 0; i < m.Count; i++)
                byId[m.ModelType == BrainModelType.Surface ? $"{m.Structure}:{m.Vertices[i]}" : $"{m.Voxels[3 * i]},{m.Voxels[3 * i + 1]},{m.Voxels[3 * i + 2]}"] = atlasKeys[m.Offset + i];
        var keys = new int[data.Length];
        foreach (var m in data.Models)
            for (int i = 0; i < m.Count; i++)
                keys[m.Offset + i] = byId.GetValueOrDefault(m.ModelType == BrainModelType.Surface ? $"{m.Structure}:{m.Vertices[i]}" : $"{m.Voxels[3 * i]},{m.Voxels[3 * i + 1]},{m.Voxels[3 * i + 2]}");
        return keys;
    }

    private static float Value(int t, int g) => (float)(Math.Sin(3.1 * g + 0.7 * t) * 10 + g * 0.5 + t);

    [Theory]
    [InlineData(ReductionStrategy.Mean)]
    [InlineData(ReductionStrategy.Median)]
    [InlineData(ReductionStrategy.Sum)]
    [InlineData(ReductionStrategy.Minimum)]
    [InlineData(ReductionStrategy.Maximum)]
    [InlineData(ReductionStrategy.StandardDeviation)]
    [InlineData(ReductionStrategy.Variance)]
    public void Grayordinates_are_matched_by_structure_and_vertex_or_voxel_never_by_position(ReductionStrategy strategy)
    {
        var data = Shuffled();
        var path = CiftiFixtures.WriteDtseries(_dir.File("shuffled.dtseries.nii"), data, 4, Value);
        var r = new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions { Atlas = SmallAtlas(), Strategy = strategy }).FitTransform(path);
        var keys = KeysByHand(data, CiftiFixtures.SmallGrayordinates(), SmallKeys);
        Assert.Equal([1, 2, 3], r.Signals.LabelIds);
        Assert.Equal(["Left", "Right", "Deep"], r.Signals.ColumnNames);
        for (int t = 0; t < 4; t++)
            for (int j = 0; j < 3; j++)
            {
                var v = Enumerable.Range(0, data.Length).Where(g => keys[g] == j + 1).Select(g => (double)Value(t, g)).ToArray();
                double mean = v.Average(), variance = v.Select(x => (x - mean) * (x - mean)).Average();
                var sorted = v.Order().ToArray();
                double expected = strategy switch
                {
                    ReductionStrategy.Mean => mean,
                    ReductionStrategy.Median => sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2,
                    ReductionStrategy.Sum => v.Sum(),
                    ReductionStrategy.Minimum => v.Min(),
                    ReductionStrategy.Maximum => v.Max(),
                    ReductionStrategy.StandardDeviation => Math.Sqrt(variance),
                    _ => variance,
                };
                Assert.Equal(expected, r.Signals.Values[t, j], 1e-3 * Math.Max(1, Math.Abs(expected)));
            }
        // the parcels list the data's grayordinates in the data's order: Left its labelled left vertices, Deep five voxels
        Assert.Equal([7, 5, 2, 0], r.Parcels.Parcels[0].Vertices.Single().Value);
        Assert.Equal([2, 3, 1, 0, 3, 1, 2, 1, 0, 1, 0, 0, 0, 0, 0], r.Parcels.Parcels[2].Voxels);
        var coverage = r.Signals.Coverage.Single(c => c.Id == 1);
        Assert.Equal((5.0, 4, 0.8), (coverage.AtlasVoxels, coverage.GridVoxels, coverage.Coverage)); // left vertex 9 is not in the data
    }

    [Fact]
    public void Parcels_the_data_miss_are_nan_columns_and_min_coverage_empties_the_sparse_ones()
    {
        // the data have the left cortex only (and one voxel): Right is missing, Deep covered 1 of 5
        var data = new BrainModelAxis(
        [
            BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_LEFT", 0, 12, [0, 2, 3, 5, 7, 9]),
            BrainModel.Volume("CIFTI_STRUCTURE_THALAMUS_LEFT", 6, [0, 0, 0]),
        ], CiftiFixtures.Volume);
        var path = CiftiFixtures.WriteDtseries(_dir.File("left.dtseries.nii"), data, 3, Value);
        var atlas = SmallAtlas();
        var r = new GrayordinateLabelsMasker(atlas).FitTransform(path);
        Assert.Equal([1, 2, 3], r.Signals.LabelIds);
        Assert.All(Enumerable.Range(0, 3), t => Assert.True(double.IsNaN(r.Signals.Values[t, 1])));
        Assert.Equal(RegionStatus.NotOnDataGrid, r.Signals.Coverage[1].Status);
        Assert.Equal(0.2, r.Signals.Coverage[2].Coverage); // 1 of its 5 grayordinates
        Assert.Empty(r.Parcels.Parcels[1].Vertices); // an empty parcel lists nothing, and the file is still valid
        r.WriteParcellatedSeries(_dir.File("left.ptseries.nii"));
        CiftiFile.Open(_dir.File("left.ptseries.nii")).Dispose();

        var strict = new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions { Atlas = atlas, MinCoverage = 0.5, KeepEmpty = KeepEmpty.Drop }).FitTransform(path);
        Assert.Equal([1], strict.Signals.LabelIds);
        Assert.Equal(RegionStatus.BelowMinCoverage, strict.Signals.Coverage[2].Status);
        Assert.Single(strict.Parcels.Parcels);
    }

    [Fact]
    public void Medial_wall_coverage_of_the_workbench_data()
    {
        var r = new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions { Atlas = GrayordinateAtlas.Load("conte69-composite"), MinCoverage = 0.5 })
            .FitTransform(CiftiFixtures.WorkbenchDtseries);
        var wall = r.Signals.Coverage[0];
        Assert.Equal(("MEDIAL.WALL", 5541.0, 1529, RegionStatus.BelowMinCoverage), (wall.Name, wall.AtlasVoxels, wall.GridVoxels, wall.Status));
        Assert.True(double.IsNaN(r.Signals.Values[0, 0]));
        Assert.All(r.Signals.Coverage.Skip(1), c => Assert.Equal(RegionStatus.Extracted, c.Status));
    }

    [Fact]
    public void Cleaning_is_the_signal_layers_applied_to_the_parcel_means()
    {
        var data = CiftiFixtures.SmallGrayordinates();
        var path = CiftiFixtures.WriteDtseries(_dir.File("clean.dtseries.nii"), data, 40, Value, step: 0.8);
        var atlas = SmallAtlas();
        var confounds = new SignalMatrix<double>(36, 2, Enumerable.Range(0, 72).Select(i => Math.Cos(i * 0.37) + (i % 2) * 0.01 * i).ToArray());
        var inputs = new MaskerInputs { Confounds = confounds, DummyScans = 4, SampleMask = Enumerable.Range(0, 36).Where(t => t % 7 != 3).ToArray() };
        var options = new GrayordinateLabelsMaskerOptions { Atlas = atlas, Clean = MaskerOptions.DefaultCleaning with { Detrend = true, Standardize = StandardizeMethod.ZScoreSample, HighPass = 0.05 } };
        var cleaned = new GrayordinateLabelsMasker(options).FitTransform(path, inputs);

        var raw = new GrayordinateLabelsMasker(atlas).FitTransform(path, new MaskerInputs { DummyScans = 4 }).Signals.Values;
        var expected = SignalCleaner.Clean(raw.As<float>(), options.Clean with { RepetitionTime = 0.8 }, confounds, inputs.SampleMask);
        Approx.Equal(expected.As<double>().Data, cleaned.Signals.Values.Data, rtol: 1e-5, atol: 1e-5, what: "cleaned");
        Assert.Equal(0.8, cleaned.Signals.RepetitionTime); // from the series axis: the filter needed it
        Assert.Equal("CIFTI series axis (SeriesStep)", cleaned.Signals.RepetitionTimeSource);
        // the series of the kept time points starts at the first kept one, and the censored ones are listed
        Assert.Equal(4 * 0.8, cleaned.Series.StartValue, 12);
        Assert.Contains(cleaned.Metadata, m => m.Key == "KeptVolumes");
    }

    [Fact]
    public void Voxels_of_the_91k_layout_are_matched_by_ijk()
    {
        var layout = Templates.Fslr91kGrayordinates();
        // the atlas: each subcortical structure its own key, in the order of the 91k file; the data: value = index
        var keys = new int[layout.Length];
        int key = 0;
        foreach (var m in layout.Models)
        {
            if (m.ModelType == BrainModelType.Voxels) key++;
            for (int i = 0; i < m.Count; i++) keys[m.Offset + i] = m.ModelType == BrainModelType.Voxels ? key : 0;
        }
        var atlasPath = CiftiFixtures.Write(_dir.File("sub.dlabel.nii"), new CiftiHeader([new LabelAxis([new CiftiNamedMap("sub",
            [], Enumerable.Range(0, 20).Select(k => new CiftiLabel(k, $"s{k}", 0, 0, 0, 1)).ToArray())]), layout]), keys.Select(k => (float)k).ToArray());
        var path = CiftiFixtures.WriteDtseries(_dir.File("91k.dtseries.nii"), layout, 2, (t, g) => g + t);
        var r = new GrayordinateLabelsMasker(GrayordinateAtlas.Load(atlasPath)).FitTransform(path);
        Assert.Equal(19, r.Signals.LabelIds.Length);
        var voxelModels = layout.Models.Where(m => m.ModelType == BrainModelType.Voxels).ToArray();
        for (int j = 0; j < 19; j++)
            Assert.Equal(voxelModels[j].Offset + (voxelModels[j].Count - 1) / 2.0, r.Signals.Values[0, j], 1e-3);
        Assert.True(layout.Volume!.SameSpace(r.Parcels.Volume!));
    }

    [Fact]
    public void Another_mesh_another_volume_or_no_shared_grayordinate_is_an_error()
    {
        var atlas = SmallAtlas();
        var mesh = new BrainModelAxis([BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_LEFT", 0, 32492, [0, 1, 2])], null);
        var e = Assert.Throws<NiSharpException>(() => new GrayordinateLabelsMasker(atlas).FitTransform(CiftiFixtures.WriteDtseries(_dir.File("mesh.dtseries.nii"), mesh, 2, Value)));
        Assert.Contains("CORTEX_LEFT has 12 vertices in the atlas but 32492 in the data: they are on different meshes", e.Message);

        var volume = new BrainModelAxis([BrainModel.Volume("CIFTI_STRUCTURE_THALAMUS_LEFT", 0, [0, 0, 0])], new CiftiVolume([3, 4, 2], Affine.Diagonal(3, 3, 3)));
        e = Assert.Throws<NiSharpException>(() => new GrayordinateLabelsMasker(atlas).FitTransform(CiftiFixtures.WriteDtseries(_dir.File("vol.dtseries.nii"), volume, 2, Value)));
        Assert.Contains("the atlas's voxels are on 3×4×2 at 2 mm, the data's on 3×4×2 at 3 mm", e.Message);

        var other = new BrainModelAxis([BrainModel.Surface("CIFTI_STRUCTURE_CEREBELLUM", 0, 5, [0, 1])], null);
        e = Assert.Throws<NiSharpException>(() => new GrayordinateLabelsMasker(atlas).FitTransform(CiftiFixtures.WriteDtseries(_dir.File("other.dtseries.nii"), other, 2, Value)));
        Assert.Contains("none of the grayordinates of the data carries a label of map 1 ('small map')", e.Message);

        e = Assert.Throws<NiSharpException>(() => new GrayordinateLabelsMasker(new GrayordinateLabelsMaskerOptions { Atlas = atlas, SmoothingFwhm = Fwhm.Parse(["6"]) }));
        Assert.Contains("grayordinates are smoothed on the surfaces (wb_command -cifti-smoothing)", e.Message);

        var scalars = CiftiFixtures.Write(_dir.File("s.dscalar.nii"), new CiftiHeader([new ScalarAxis([new("x", [])]), CiftiFixtures.SmallGrayordinates()]), new float[17]);
        e = Assert.Throws<NiSharpException>(() => new GrayordinateLabelsMasker(atlas).FitTransform(scalars));
        Assert.Contains("dimension 0 of the CIFTI matrix holds scalars, expected series (the file is a dense scalar maps, .dscalar.nii)", e.Message);
    }

    [Fact]
    public void Label_maps_are_chosen_by_number_or_name_and_must_hold_keys()
    {
        var path = CiftiFixtures.WriteDlabel(_dir.File("one.dlabel.nii"), CiftiFixtures.SmallGrayordinates(), SmallKeys, "parcels");
        Assert.Contains("has no label map 2 (maps: 1 'parcels')", Assert.Throws<NiSharpException>(() => GrayordinateAtlas.Load(path, "2")).Message);
        Assert.Contains("has no label map named 'nope' (maps: 1 'parcels')", Assert.Throws<NiSharpException>(() => GrayordinateAtlas.Load(path, "nope")).Message);
        var bad = CiftiFixtures.WriteDlabel(_dir.File("half.dlabel.nii"), CiftiFixtures.SmallGrayordinates(), SmallKeys);
        var bytes = File.ReadAllBytes(bad);
        BitConverter.GetBytes(1.5f).CopyTo(bytes, bytes.Length - 4);
        File.WriteAllBytes(bad, bytes);
        Assert.Contains("holds 1.5 at grayordinate 16, not an integer label key", Assert.Throws<NiSharpException>(() => GrayordinateAtlas.Load(bad)).Message);
        Assert.Contains("unknown grayordinate atlas 'conte70'", Assert.Throws<NiSharpException>(() => GrayordinateAtlas.Load("conte70")).Message);
        Assert.Contains("is a grayordinate (CIFTI) atlas", Assert.Throws<NiSharpException>(() => Atlas.Load("conte69-composite")).Message);
    }

    [Fact]
    public void A_dense_series_is_streamed_a_few_time_points_at_a_time()
    {
        // 4000 grayordinates × 1000 time points of float32: a 16 MB matrix
        var axis = new BrainModelAxis([BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_LEFT", 0, 4000, Enumerable.Range(0, 4000).ToArray())], null);
        var atlasPath = CiftiFixtures.Write(_dir.File("big.dlabel.nii"), new CiftiHeader([new LabelAxis([new CiftiNamedMap("m", [],
            [new(0, "???", 0, 0, 0, 0), new(1, "a", 1, 0, 0, 1), new(2, "b", 0, 1, 0, 1)])]), axis]), Enumerable.Range(0, 4000).Select(g => (float)(g % 3)).ToArray());
        var path = _dir.File("big.dtseries.nii");
        using (var w = CiftiWriter.Create(path, new CiftiHeader([new SeriesAxis(1000, 0, 1), axis])))
        {
            var column = new float[1000];
            for (int g = 0; g < 4000; g++)
            {
                for (int t = 0; t < 1000; t++) column[t] = g % 3 == 1 ? t : 2 * t;
                w.WriteColumns<float>(column);
            }
            w.Commit();
        }
        var masker = new GrayordinateLabelsMasker(GrayordinateAtlas.Load(atlasPath));
        masker.FitTransform(path); // the fit (matching, index) is cached: measure a transform alone
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = masker.FitTransform(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(999.0, r.Signals.Values[999, 0]);
        Assert.Equal(1998.0, r.Signals.Values[999, 1]);
        long matrix = 4000L * 1000 * 4;
        int block = GrayordinateSource.BlockRows(4000, 4);
        Assert.True(block < 100, $"a block of {block} rows");
        // two blocks of rows, the (time points × parcels) signals and the XML; never the matrix
        Assert.True(allocated < matrix / 4, $"{allocated} bytes allocated for a {matrix}-byte matrix");
    }
}
