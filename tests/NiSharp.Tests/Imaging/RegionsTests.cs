using System.Text.Json;
using CsCheck;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

public class RegionsTests
{
    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("connected_label_regions_default")]
    public void Connected_label_regions_default_matches_nilearn_exactly_with_names(string version)
    {
        var atlas = Regions.LoadLabelImage(TestPaths.Nilearn("in_atlas.nii.gz"));
        var allNames = JsonSerializer.Deserialize(File.ReadAllText(TestPaths.Nilearn("in_atlas_names.json")), TestJson.Default.StringArray)!;
        var expected = Image.Load<int>(TestPaths.Nilearn(version, "out_clr_default.nii.gz"));
        var expectedNames = JsonSerializer.Deserialize(File.ReadAllText(TestPaths.Nilearn(version, "out_clr_default_names.json")), TestJson.Default.StringArray)!;

        var r = Regions.ConnectedLabelRegions(atlas, names: allNames[1..8]);

        Assert.Equal(expected.Data, r.Image.Data);
        Assert.Equal(expectedNames, r.Names);
        Assert.Equal(9, r.Count);
    }

    [Theory]
    [InlineData(TestPaths.V0_10_4)]
    [InlineData(TestPaths.V0_14)]
    [NilearnCase("connected_label_regions_min_size")]
    public void Connected_label_regions_min_size_face_connectivity_matches_nilearn_exactly(string version)
    {
        var atlas = Regions.LoadLabelImage(TestPaths.Nilearn("in_atlas.nii.gz"));
        var expected = Image.Load<int>(TestPaths.Nilearn(version, "out_clr_minsize16_nodiag.nii.gz"));
        var r = Regions.ConnectedLabelRegions(atlas, minSize: 16, connectDiagonal: false);
        Assert.Equal(expected.Data, r.Image.Data);
    }

    [Fact]
    public void One_voxel_island_first_in_c_order_gets_the_lower_number()
    {
        // label 5: a one-voxel island at x=0 and a body at x=3..4: in C order (x slowest) the island comes first
        var data = new int[6 * 3 * 3];
        var img = new Image<int>([6, 3, 3], Affine.Identity, data);
        img[0, 2, 2] = 5;
        for (int i = 3; i < 5; i++) for (int j = 0; j < 3; j++) img[i, j, 0] = 5;
        img[5, 0, 0] = 2;
        var r = Regions.ConnectedLabelRegions(img);
        Assert.Equal(1, r.Image[5, 0, 0]);      // label 2 first
        Assert.Equal(2, r.Image[0, 2, 2]);      // the island
        Assert.Equal(3, r.Image[3, 0, 0]);      // the body
        Assert.Equal([2, 5, 5], r.SourceLabels);
    }

    [Fact]
    public void Diagonal_neighbours_join_only_with_26_connectivity()
    {
        var img = new Image<int>([3, 3, 3], Affine.Identity, new int[27]);
        img[0, 0, 0] = 1;
        img[1, 1, 1] = 1;
        Assert.Equal(1, Regions.ConnectedLabelRegions(img).Count);
        Assert.Equal(2, Regions.ConnectedLabelRegions(img, connectDiagonal: false).Count);
    }

    [Fact]
    public void Min_size_is_in_cubic_millimetres()
    {
        // 2 mm voxels: 8 mm³ each; a 2-voxel part (16 mm³) is dropped by min_size 16 (kept only if > 16), a 3-voxel part stays
        var img = new Image<int>([8, 1, 1], Affine.Diagonal(2, 2, 2), [1, 1, 0, 1, 1, 1, 0, 0]);
        var r = Regions.ConnectedLabelRegions(img, minSize: 16);
        Assert.Equal([0, 0, 0, 1, 1, 1, 0, 0], r.Image.Data);
        var r2 = Regions.ConnectedLabelRegions(img, minSize: 15.9);
        Assert.Equal([1, 1, 0, 2, 2, 2, 0, 0], r2.Image.Data);
    }

    [Fact]
    public void Relabelling_preserves_the_voxel_set_and_never_merges_labels()
    {
        var gen = Gen.Int[0, 3].Array[4 * 4 * 3];
        gen.Sample(values =>
        {
            var img = new Image<int>([4, 4, 3], Affine.Identity, values);
            var r = Regions.ConnectedLabelRegions(img, connectDiagonal: values[0] % 2 == 0);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(values[i] != 0, r.Image.Data[i] != 0);
                if (values[i] != 0) Assert.Equal(values[i], r.SourceLabels[r.Image.Data[i] - 1]);
            }
            // numbers are 1..N without gaps
            var used = r.Image.Data.Where(v => v != 0).Distinct().Order().ToArray();
            Assert.Equal(Enumerable.Range(1, r.Count).ToArray(), used);
        }, iter: 200);
    }

    [Fact]
    public void Negative_labels_and_wrong_name_count_are_errors()
    {
        var neg = new Image<int>([2, 1, 1], Affine.Identity, [-1, 1]);
        Assert.Contains("negative", Assert.Throws<NiSharpException>(() => Regions.ConnectedLabelRegions(neg)).Message);
        var two = new Image<int>([2, 1, 1], Affine.Identity, [2, 1]);
        Assert.Contains("1 label names", Assert.Throws<NiSharpException>(() => Regions.ConnectedLabelRegions(two, names: ["a"])).Message);
    }

    [Fact]
    public void Non_integer_values_are_not_a_label_image()
    {
        var img = new Image<float>([2, 1, 1], Affine.Identity, [1.5f, 0]);
        var e = Assert.Throws<NiSharpException>(() => Regions.ToLabelImage(img, "x.nii.gz"));
        Assert.StartsWith("x.nii.gz: ", e.Message);
    }
    [Theory]
    [InlineData(NiftiDataType.UInt8)]
    [InlineData(NiftiDataType.Int8)]
    [InlineData(NiftiDataType.Int16)]
    [InlineData(NiftiDataType.UInt16)]
    [InlineData(NiftiDataType.Int32)]
    [InlineData(NiftiDataType.UInt32)]
    [InlineData(NiftiDataType.Int64)]
    [InlineData(NiftiDataType.UInt64)]
    public void Integer_label_files_stream_as_the_label_rule_reads_them(NiftiDataType type)
    {
        // Unscaled integer files take a path of their own (a range check, no doubles): the same labels as the rule on the
        // image loaded as doubles, over more than one piece of slices (64×64 slices, 128 of them: 8 pieces).
        using var dir = new TempDir();
        var path = dir.File("labels.nii.gz");
        bool signed = type is NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.Int32 or NiftiDataType.Int64;
        int top = type is NiftiDataType.UInt8 or NiftiDataType.Int8 ? 100 : 30_000;
        var data = new double[64 * 64 * 128];
        var random = new Random(23);
        for (int i = 0; i < data.Length; i++) data[i] = i % 7 == 0 ? 0 : random.Next(signed ? -top : 0, top);
        new Image<double>([64, 64, 128], Affine.Diagonal(2, 2, 2, -64, -64, -128), data).Save(path, type);
        var expected = Regions.ToLabelImage(Image.Load<double>(path), path);
        Assert.True(expected.Data.AsSpan().SequenceEqual(Regions.LoadLabelImage(path).Data), type.ToString());
        Assert.Contains(expected.Data, v => v > 1000 || type is NiftiDataType.UInt8 or NiftiDataType.Int8);
    }

    [Fact]
    public void Int64_labels_at_the_edges_of_int32_narrow_exactly()
    {
        // The int64 narrowing goes four values at a time, the rest one by one: int32's extremes and signs in every lane.
        using var dir = new TempDir();
        var path = dir.File("labels.nii.gz");
        double[] edges = [int.MinValue, int.MaxValue, -1, 0, 1, int.MinValue + 1, int.MaxValue - 1, 65536, -65536];
        var data = new double[7 * 11 * 13];
        for (int i = 0; i < data.Length; i++) data[i] = edges[(i * 5 + i / 9) % edges.Length];
        new Image<double>([7, 11, 13], Affine.Identity, data).Save(path, NiftiDataType.Int64);
        var labels = Regions.LoadLabelImage(path).Data;
        for (int i = 0; i < data.Length; i++) Assert.Equal((int)data[i], labels[i]);
    }

    [Theory]
    [InlineData(NiftiDataType.Int64, 3_000_000_000.0, "3000000000", 10)]
    [InlineData(NiftiDataType.Int64, -3_000_000_000.0, "-3000000000", 10)]
    [InlineData(NiftiDataType.Int64, 2_147_483_648.0, "2147483648", 1)]   // one past int32, in the last (scalar) values
    [InlineData(NiftiDataType.Int64, -2_147_483_649.0, "-2147483649", 524_280)] // one below, among the first (vector) values
    [InlineData(NiftiDataType.UInt32, 4_000_000_000.0, "4000000000", 10)]
    [InlineData(NiftiDataType.UInt64, 1e19, "1E+19", 10)]
    public void Integer_labels_beyond_int32_are_refused_naming_the_file_and_a_value(NiftiDataType type, double value, string printed, int fromEnd)
    {
        using var dir = new TempDir();
        var path = dir.File("labels.nii.gz");
        var data = new double[64 * 64 * 128];
        data[^fromEnd] = value; // in the last piece, or (524,280 from the end: voxel 8) the first
        data[5] = 3;
        new Image<double>([64, 64, 128], Affine.Identity, data).Save(path, type);
        var e = Assert.Throws<NiSharpException>(() => Regions.LoadLabelImage(path));
        Assert.Equal($"{path}: has non-integer values (e.g. {printed}); it is not a label image", e.Message);
    }

    [Fact]
    public void Scaled_integer_label_files_go_through_the_scaling()
    {
        using var dir = new TempDir();
        var path = dir.File("scaled.nii.gz");
        var header = NiftiWriter.BuildHeader([4, 2, 1], Affine.Identity, NiftiDataType.Int16, null) with { SclSlope = 2, SclInter = 1 };
        using (var w = NiftiWriter.Create(path, header, []))
        {
            w.WriteVolumes<short>([0, 1, 2, 3, 0, 5, 6, 7]);
            w.Commit();
        }
        Assert.Equal([1, 3, 5, 7, 1, 11, 13, 15], Regions.LoadLabelImage(path).Data);
        header = header with { SclSlope = 0.5, SclInter = 0 };
        using (var w = NiftiWriter.Create(path, header, []))
        {
            w.WriteVolumes<short>([0, 2, 3, 4, 0, 0, 0, 0]);
            w.Commit();
        }
        Assert.Contains("has non-integer values (e.g. 1.5)", Assert.Throws<NiSharpException>(() => Regions.LoadLabelImage(path)).Message);
    }
}
