using CsCheck;
using NiSharp.Atlases;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Imaging;

/// <summary>The streamed nearest-neighbour resampling of a label file equals the full resampling of the loaded image, bit for bit.</summary>
public class StreamedNearestTests
{
    public static TheoryData<string> BundledAtlases()
    {
        var d = new TheoryData<string>();
        foreach (var a in AtlasCatalog.All) d.Add(a.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(BundledAtlases))]
    public void Streamed_resampling_equals_the_full_resampling_on_every_bundled_atlas(string name)
    {
        var path = BundledData.PathOf(AtlasCatalog.Find(name)!.ImageFile);
        var full = Regions.LoadLabelImage(path);
        var atlasGrid = Grid.Of(full);
        var oblique = Affine.FromMatVec(Rotation(0.3, 0.2, -0.15, 3.7), [-70, -95, -60]);
        Grid[] targets =
        [
            Grid.Of(TestPaths.Data("samples", "nipy_functional.nii.gz")),
            new Grid(37, 45, 33, oblique),
            // an integer shift of the atlas grid: the full path copies from nilearn's crop box
            new Grid(40, 30, 20, atlasGrid.Affine * Affine.Diagonal(1, 1, 1, atlasGrid.Nx / 2 - 20, atlasGrid.Ny / 2 - 15, atlasGrid.Nz / 2 - 10)),
            // a permuted, flipped grid
            new Grid(20, 24, 22, Affine.FromMatVec([0, 0, -4, 5, 0, 0, 0, 3.5, 0], [60, -100, -40])),
        ];
        var (values, counts) = StreamedNearest.CountValues(full.Data);
        foreach (var target in targets)
        {
            var expected = Resampling.ResampleToGrid(full, target, Interpolation.Nearest, clip: true);
            var sample = StreamedNearest.Sample(path, target);
            Assert.Equal(values, sample.Values);
            Assert.Equal(counts, sample.Counts);
            Assert.True(sample.Grid.SameFieldOfView(atlasGrid));
            var streamed = sample.OnTarget!;
            Assert.Equal(expected.Shape, streamed.Shape);
            Assert.Equal(expected.Affine, streamed.Affine);
            Assert.True(expected.Data.AsSpan().SequenceEqual(streamed.Data), $"{name} onto {target.Describe()}");
            Assert.Contains(streamed.Data, v => v != 0); // every target overlaps the brain: not a vacuous comparison
        }
    }

    [Fact]
    public void Permuted_and_flipped_grids_map_voxel_for_voxel_as_the_full_resampling()
    {
        // Grids whose axes are permuted, flipped and zoomed relative to the atlas (any one non-zero per row of the mapping)
        // take tabulated coordinates; offsets on quarter voxels put centres exactly half-way between source voxels.
        using var dir = new TempDir();
        var random = new Random(5);
        var data = new int[9 * 10 * 11];
        for (int i = 0; i < data.Length; i++) data[i] = random.Next(0, 6);
        var path = dir.File("labels.nii.gz");
        var atlas = new Image<int>([9, 10, 11], Affine.FromMatVec([0, -2, 0, 0, 0, 2, 2, 0, 0], [10, -8, -12]), data);
        atlas.Save(path);
        int[][] permutations = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        double[] zooms = [0.5, 1, 1.5, 2, 3];
        int overlapping = 0;
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 7], Gen.Int[0, 4].Array[3], Gen.Int[-40, 40].Array[3], Gen.Int[3, 12].Array[3])
            .Sample((perm, flips, zoom, offset, shape) =>
            {
                var m = new double[9];
                for (int r = 0; r < 3; r++)
                    m[r * 3 + permutations[perm][r]] = zooms[zoom[r]] * ((flips >> r & 1) == 1 ? -1 : 1);
                var target = new Grid(shape[0], shape[1], shape[2], Affine.FromMatVec(m, [offset[0] / 4.0, offset[1] / 4.0, offset[2] / 4.0]));
                var expected = Resampling.ResampleToGrid(atlas, target, Interpolation.Nearest, clip: true);
                Assert.Equal(expected.Data, StreamedNearest.Sample(path, target).OnTarget!.Data);
                if (expected.Data.Any(v => v != 0)) Interlocked.Increment(ref overlapping);
            }, iter: 150);
        Assert.True(overlapping > 50, $"{overlapping} of 150 grids overlap the atlas");
    }

    [Fact]
    public void Same_grid_gives_the_image_itself()
    {
        var path = BundledData.PathOf(AtlasCatalog.Find("aal")!.ImageFile);
        var full = Regions.LoadLabelImage(path);
        var streamed = StreamedNearest.Sample(path, Grid.Of(full)).OnTarget!;
        Assert.Equal(full.Affine, streamed.Affine);
        Assert.True(full.Data.AsSpan().SequenceEqual(streamed.Data));
    }

    [Fact]
    public void An_atlas_from_a_file_fits_without_reading_its_image_whole_and_equals_one_in_memory()
    {
        var fromFile = Atlas.Load("schaefer100-7");
        var inMemory = Atlas.FromImage(Regions.LoadLabelImage(fromFile.Source!.ImagePath), fromFile.Labels, "schaefer100-7");
        var grid = Grid.Of(TestPaths.Data("samples", "nipy_functional.nii.gz"));
        var a = new NiSharp.Maskers.LabelsMasker(fromFile).Fit(grid);
        var b = new NiSharp.Maskers.LabelsMasker(inMemory).Fit(grid);
        Assert.True(a.ResampledLabels.Data.AsSpan().SequenceEqual(b.ResampledLabels.Data));
        Assert.Equal(b.Coverage, a.Coverage);
        Assert.Equal(inMemory.LabelsPresent, fromFile.LabelsPresent);
    }

    private static double[] Rotation(double ax, double ay, double az, double scale)
    {
        double cx = Math.Cos(ax), sx = Math.Sin(ax), cy = Math.Cos(ay), sy = Math.Sin(ay), cz = Math.Cos(az), sz = Math.Sin(az);
        double[,] rx = { { 1, 0, 0 }, { 0, cx, -sx }, { 0, sx, cx } };
        double[,] ry = { { cy, 0, sy }, { 0, 1, 0 }, { -sy, 0, cy } };
        double[,] rz = { { cz, -sz, 0 }, { sz, cz, 0 }, { 0, 0, 1 } };
        var m = new double[9];
        for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
        {
            double s = 0;
            for (int k = 0; k < 3; k++)
            for (int l = 0; l < 3; l++) s += rz[i, k] * ry[k, l] * rx[l, j];
            m[i * 3 + j] = s * scale;
        }
        return m;
    }
}
