using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Atlases;

public class AtlasTests
{
    [Theory]
    [InlineData("yeo7", 7, "LIA")]
    [InlineData("yeo7-thick", 7, "LIA")]
    [InlineData("yeo17", 17, "LIA")]
    [InlineData("yeo17-thick", 17, "LIA")]
    [InlineData("schaefer100-7", 100, "LAS")]
    [InlineData("schaefer100-17", 100, "LAS")]
    [InlineData("schaefer400-7", 400, "LAS")]
    [InlineData("aal", 116, "LAS")]
    [InlineData("harvard-oxford", 48, "LAS")]
    [InlineData("harvard-oxford-sub", 21, "LAS")]
    public void Bundled_atlases_load_with_a_name_for_every_label(string name, int labels, string orientation)
    {
        var a = Atlas.Load(name);
        Assert.Equal(labels, a.LabelsPresent.Count);
        Assert.All(a.LabelsPresent, l => Assert.NotNull(a.Labels[l]));
        Assert.Equal(3, a.Image.NDim);
        Assert.Equal(orientation, a.Image.Affine.AxisCodes);
        Assert.NotNull(a.Info);
        Assert.False(string.IsNullOrWhiteSpace(a.Info!.Licence));
    }

    [Fact]
    public void Yeo_and_schaefer_labels_carry_networks()
    {
        var yeo = Atlas.Load("yeo7");
        Assert.Equal("7Networks_7", yeo.Labels[7]!.Name);
        Assert.Equal("Default", yeo.Labels[7]!.Network);
        Assert.Equal(new Rgba(205, 62, 78), yeo.Labels[7]!.Colour);
        Assert.Equal("DefaultA", Atlas.Load("yeo17").Labels[16]!.Network);
        var s = Atlas.Load("schaefer100-7");
        Assert.Equal("7Networks_LH_Vis_1", s.Labels[1]!.Name);
        Assert.Equal("Vis", s.Labels[1]!.Network);
        Assert.Equal("Default", s.Labels[100]!.Network);
    }

    [Fact]
    public void The_relabelled_yeo_atlas_is_connected_label_regions_of_yeo7_thick()
    {
        var relabeled = Atlas.Load("yeo7-relabeled");
        var ours = Atlas.Load("yeo7-thick").ConnectedLabelRegions();
        Assert.Equal(49, relabeled.LabelsPresent.Count);
        Assert.True(relabeled.Image.Data.AsSpan().SequenceEqual(ours.Image.Data));
        // the lesson's two DMN regions
        Assert.Equal("label_44", relabeled.Labels[44]!.Name);
        Assert.Equal("Default", relabeled.Labels[44]!.Network);
        Assert.Equal("Default", relabeled.Labels[46]!.Network);
        Assert.Equal("Vis", relabeled.Labels[1]!.Network);
        // networks carried by our relabelling agree with the overlap-derived ones
        for (int k = 1; k <= 49; k++) Assert.Equal(relabeled.Labels[k]!.Network, ours.Labels[k]!.Network);
    }

    [Fact]
    public void Unknown_atlas_names_list_the_known_ones()
    {
        var e = Assert.Throws<NiSharpException>(() => Atlas.Load("yeo8"));
        Assert.Contains("unknown atlas 'yeo8'", e.Message);
        Assert.Contains("schaefer400-7", e.Message);
    }

    [Fact]
    public void A_user_atlas_without_labels_gets_label_N_names()
    {
        var a = Atlas.Load(TestPaths.Nilearn("in_atlas.nii.gz"));
        Assert.Equal(7, a.LabelsPresent.Count);
        Assert.Equal("label_3", a.Labels[3]!.Name);
    }

    [Fact]
    public void A_labels_file_missing_image_labels_says_which_at_the_first_use_of_the_labels()
    {
        using var dir = new TempDir();
        File.WriteAllLines(dir.File("labels.tsv"), ["index\tname", "1\tone", "2\ttwo", "4\tfour", "6\tsix"]);
        // Loading reads the header; the labels are checked once the voxels are counted — by asking for them, or by a fit,
        // whose read of the atlas counts them — with the same one-line error either way, whatever the cache holds.
        var atlas = Atlas.Load(TestPaths.Nilearn("in_atlas.nii.gz"), dir.File("labels.tsv"));
        var e = Assert.Throws<NiSharpException>(() => atlas.Labels);
        Assert.StartsWith(dir.File("labels.tsv") + ": ", e.Message);
        Assert.Contains("labels 3, 5, 7", e.Message);
        Assert.Contains("in_atlas.nii.gz", e.Message);
        Assert.Single(e.Message.Split('\n'));
        Assert.Equal(e.Message, Assert.Throws<NiSharpException>(() => atlas.LabelsPresent).Message);
        var grid = Grid.Of(TestPaths.Data("samples", "nipy_functional.nii.gz"));
        var fresh = Atlas.Load(TestPaths.Nilearn("in_atlas.nii.gz"), dir.File("labels.tsv"));
        Assert.Equal(e.Message, Assert.Throws<NiSharpException>(() => new NiSharp.Maskers.LabelsMasker(fresh).Fit(grid)).Message);
        Assert.Equal(1, fresh.FileReads);
    }

    [Fact]
    public void A_cold_fit_reads_the_atlas_file_once_and_counts_it_on_the_way()
    {
        using var off = FittedAtlasCache.Off(); // cold: nothing cached, nothing written
        var grid = Grid.Of(TestPaths.Data("samples", "nipy_functional.nii.gz"));
        var atlas = Atlas.Load("schaefer100-7");
        Assert.Equal(0, atlas.FileReads); // the header only
        var fit = new NiSharp.Maskers.LabelsMasker(atlas).Fit(grid);
        Assert.Equal(1, atlas.FileReads);
        Assert.Equal(100, atlas.LabelsPresent.Count);
        Assert.Equal("7Networks_LH_Vis_1", atlas.Labels[1]!.Name);
        Assert.Equal(1, atlas.FileReads);
        // the same counts, coverage and labels as an atlas counted by a read of its own before its fit
        var counted = Atlas.Load("schaefer100-7");
        Assert.Equal(100, counted.LabelsPresent.Count);
        Assert.Equal(1, counted.FileReads);
        var fitAfter = new NiSharp.Maskers.LabelsMasker(counted).Fit(grid);
        Assert.Equal(2, counted.FileReads);
        Assert.Equal(counted.ValueCounts.Values, atlas.ValueCounts.Values);
        Assert.Equal(counted.ValueCounts.Counts, atlas.ValueCounts.Counts);
        Assert.Equal(fitAfter.Coverage, fit.Coverage);
        Assert.True(fitAfter.ResampledLabels.Data.AsSpan().SequenceEqual(fit.ResampledLabels.Data));
        // and as the image read whole (counted in memory)
        Assert.Equal(StreamedNearest.CountValues(atlas.Image.Data).Counts, atlas.ValueCounts.Counts);
    }

    [Fact]
    public void An_atlas_read_whole_is_checked_before_it_is_used()
    {
        // relabelling reads the image whole: an all-background atlas fails there, before anything is computed or written
        var path = TestPaths.Fixture("badinput", "atlases", "all_background.nii.gz");
        var atlas = Atlas.Load(path);
        var e = Assert.Throws<NiSharpException>(() => atlas.ConnectedLabelRegions());
        Assert.Equal($"{path}: the atlas has no labels: every voxel is 0 (background)", e.Message);
    }

    [Fact]
    public void Resampling_an_atlas_to_a_bold_grid_keeps_only_its_labels()
    {
        var a = Atlas.Load("schaefer100-7");
        var bold = new Grid(65, 77, 49, Affine.Diagonal(3, 3, 3, -96, -132, -78));
        var r = a.ResampleTo(bold);
        Assert.Equal([65, 77, 49], r.Image.Shape);
        Assert.All(r.LabelsPresent, l => Assert.Contains(l, a.LabelsPresent));
        Assert.True(r.LabelsPresent.Count >= 95);
    }

    [Fact]
    public void Templates_and_coordinates_load()
    {
        var t = Templates.Load("mni152");
        Assert.Equal([197, 233, 189], t.Shape);
        Assert.Equal([91, 109, 91], Templates.Load("mni152-fsl-2mm").Shape);
        Assert.Throws<NiSharpException>(() => Templates.Load("colin27"));
        var power = CoordinateAtlas.Load("power2011");
        Assert.Equal(264, power.Count);
        Assert.Equal((-25.0, -98.0, -12.0), (power[0].X, power[0].Y, power[0].Z));
        var dos = CoordinateAtlas.Load("dosenbach2010");
        Assert.Equal(160, dos.Count);
        Assert.Equal(("vmPFC", "default"), (dos[0].Name, dos[0].Network));
    }

    [Fact]
    public void Bundled_names_resolve_to_files()
    {
        Assert.True(File.Exists(BundledData.ResolveImage("yeo7")));
        Assert.True(File.Exists(BundledData.ResolveImage("mni152")));
        Assert.Contains("neither a file nor a bundled atlas", Assert.Throws<NiSharpException>(() => BundledData.ResolveImage("nothing")).Message);
        Assert.Contains("file not found", Assert.Throws<NiSharpException>(() => BundledData.ResolveImage("missing.nii.gz")).Message);
    }
}

public class AtlasAnatomyTests
{
    /// <summary>Names that say left or right must sit on that side of the midline (MNI x &lt; 0 is left).</summary>
    [Theory]
    [InlineData("aal")]
    [InlineData("harvard-oxford-sub")]
    [InlineData("schaefer100-7")]
    [InlineData("schaefer100-17")]
    [InlineData("schaefer400-7")]
    public void Hemisphere_in_the_name_matches_the_side_of_the_voxels(string name)
    {
        var a = Atlas.Load(name);
        var sum = new Dictionary<int, (double X, int N)>();
        var s = a.Image.SpatialShape;
        for (int k = 0; k < s[2]; k++)
        for (int j = 0; j < s[1]; j++)
        for (int i = 0; i < s[0]; i++)
        {
            int v = a.Image[i, j, k];
            if (v == 0) continue;
            var x = a.Image.Affine.Apply(i, j, k).X;
            sum[v] = sum.TryGetValue(v, out var t) ? (t.X + x, t.N + 1) : (x, 1);
        }
        int checkedLabels = 0;
        foreach (var (label, (x, n)) in sum)
        {
            var nm = a.Labels[label]!.Name;
            bool left = nm.EndsWith("_L") || nm.StartsWith("Left") || nm.Contains("_LH_");
            bool right = nm.EndsWith("_R") || nm.StartsWith("Right") || nm.Contains("_RH_");
            if (left) Assert.True(x / n < 0, $"{name} {label} {nm} has mean x {x / n:0.0}");
            if (right) Assert.True(x / n > 0, $"{name} {label} {nm} has mean x {x / n:0.0}");
            if (left || right) checkedLabels++;
        }
        Assert.True(checkedLabels >= 18);
    }

    [Fact]
    public void Harvard_oxford_label_7_is_the_precentral_gyrus()
    {
        Assert.Equal("Precentral_Gyrus", Atlas.Load("harvard-oxford").Labels[7]!.Name);
        Assert.Equal("Subcallosal_Cortex", Atlas.Load("harvard-oxford").Labels[27]!.Name);
    }
}

public class AtlasResamplingParityTests
{
    /// <summary>NiftiLabelsMasker resamples its labels onto the data grid with resample_img(nearest, clip=True):
    /// the fixtures keep that image (cases labels_masker_*).</summary>
    [Theory]
    [InlineData("out_masker_raw_resampled_labels.nii.gz")]
    [InlineData("out_masker_main_resampled_labels.nii.gz")]
    public void Atlas_on_the_data_grid_matches_the_maskers_resampled_labels(string fixture)
    {
        var atlas = Atlas.Load(TestPaths.Nilearn("in_atlas.nii.gz"));
        var data = Grid.Of(TestPaths.Nilearn("in_func.nii.gz"));
        var expected = Image.Load<int>(TestPaths.Nilearn(fixture));
        var r = atlas.ResampleTo(data);
        Assert.Equal(expected.Data, r.Image.Data);
        // the float overload relabels the same way
        var f = Regions.ConnectedLabelRegions(Image.Load(TestPaths.Nilearn("in_atlas.nii.gz")));
        Assert.Equal(Image.Load<int>(TestPaths.Nilearn("out_clr_default.nii.gz")).Data, f.Image.Data);
    }
}
