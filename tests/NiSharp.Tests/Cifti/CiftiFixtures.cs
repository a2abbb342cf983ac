using NiSharp.Cifti;
using NiSharp.Nifti;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Cifti;

/// <summary>Small CIFTI files built in the tests, and the paths of the committed ones.</summary>
public static class CiftiFixtures
{
    /// <summary>Workbench's 32k dense time series (2 × 60951, medial wall left out).</summary>
    public static string WorkbenchDtseries => TestPaths.Fixture("cifti", "Conte69.MyelinAndCorrThickness.32k_fs_LR.dtseries.nii.gz");

    /// <summary>Workbench's parcellation of it with map 1 of the Conte69 dlabel (the reference).</summary>
    public static string WorkbenchPtseries => TestPaths.Fixture("cifti", "Conte69.MyelinAndCorrThickness.32k_fs_LR.ptseries.nii.gz");

    /// <summary>The Conte69 dlabel as bundled (3 maps × 64984).</summary>
    public static string Conte69Dlabel => TestPaths.Data("atlases", "conte69", "Conte69.parcellations_VGD11b.32k_fs_LR.dlabel.nii.gz");

    /// <summary>The fsLR 91k grayordinates as bundled (ones.dscalar.nii).</summary>
    public static string Fslr91k => TestPaths.Data("templates", "fsLR_den-91k_ones.dscalar.nii.gz");

    /// <summary>nibabel's 10 × 10 dense connectivity test file (voxels on both axes).</summary>
    public static string NibabelDconn => TestPaths.Fixture("cifti", "row_major.dconn.nii");

    /// <summary>A 3×4×2 volume of 2 mm, oblique-free, origin away from 0.</summary>
    public static CiftiVolume Volume { get; } = new([3, 4, 2], Affine.Diagonal(-2, 2, 2, 30, -40, 10));

    /// <summary>
    /// 17 grayordinates: CORTEX_LEFT vertices 0 2 3 5 7 9 of a 12-vertex surface, CORTEX_RIGHT vertices 1 4 6 8 11 of
    /// 12, THALAMUS_LEFT voxels (0,0,0) (1,0,0) (2,1,0), BRAIN_STEM voxels (0,3,1) (1,3,1) (2,3,1).
    /// </summary>
    public static BrainModelAxis SmallGrayordinates() => new(
    [
        BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_LEFT", 0, 12, [0, 2, 3, 5, 7, 9]),
        BrainModel.Surface("CIFTI_STRUCTURE_CORTEX_RIGHT", 6, 12, [1, 4, 6, 8, 11]),
        BrainModel.Volume("CIFTI_STRUCTURE_THALAMUS_LEFT", 11, [0, 0, 0, 1, 0, 0, 2, 1, 0]),
        BrainModel.Volume("CIFTI_STRUCTURE_BRAIN_STEM", 14, [0, 3, 1, 1, 3, 1, 2, 3, 1]),
    ], Volume);

    /// <summary>Three parcels over <see cref="SmallGrayordinates"/>'s structures: one on both surfaces, one with voxels too, one of voxels only.</summary>
    public static ParcelsAxis SmallParcels() => new(
        [new CiftiSurface("CIFTI_STRUCTURE_CORTEX_LEFT", 12), new CiftiSurface("CIFTI_STRUCTURE_CORTEX_RIGHT", 12)], Volume,
        [
            new CiftiParcel("both hemispheres", [new("CIFTI_STRUCTURE_CORTEX_LEFT", [0, 2]), new("CIFTI_STRUCTURE_CORTEX_RIGHT", [1])], []),
            new CiftiParcel("left & thalamus", [new("CIFTI_STRUCTURE_CORTEX_LEFT", [3, 5, 7])], [0, 0, 0, 1, 0, 0]),
            new CiftiParcel("brain <stem>", [], [0, 3, 1, 1, 3, 1, 2, 3, 1]),
        ]);

    /// <summary>A label map table: key 0 unlabeled, 1–4 named, 4 carried by no grayordinate.</summary>
    public static CiftiLabel[] SmallLabelTable() =>
    [
        new(0, "???", 0.667, 0.667, 0.667, 0),
        new(1, "Left", 1, 0, 0, 1),
        new(2, "Right", 0, 0.5, 1, 1),
        new(3, "Deep", 0.25, 0.75, 0, 1),
        new(4, "Nowhere", 0, 0, 0, 1),
    ];

    /// <summary>Writes a matrix given row after row.</summary>
    public static string Write(string path, CiftiHeader header, float[] rowMajor)
    {
        CiftiWriter.Write<float>(path, header, rowMajor);
        return path;
    }

    /// <summary>A dense time series of <paramref name="axis"/> whose value at (t, g) is <paramref name="value"/>(t, g).</summary>
    public static string WriteDtseries(string path, BrainModelAxis axis, int timepoints, Func<int, int, float> value, double step = 2)
    {
        var data = new float[timepoints * axis.Length];
        for (int t = 0; t < timepoints; t++)
            for (int g = 0; g < axis.Length; g++) data[t * axis.Length + g] = value(t, g);
        return Write(path, new CiftiHeader([new SeriesAxis(timepoints, 0, step), axis]), data);
    }

    /// <summary>A one-map dlabel of <paramref name="axis"/> with keys <paramref name="keys"/> and <see cref="SmallLabelTable"/>.</summary>
    public static string WriteDlabel(string path, BrainModelAxis axis, int[] keys, string mapName = "small map") =>
        Write(path, new CiftiHeader([new LabelAxis([new CiftiNamedMap(mapName, [], SmallLabelTable())]), axis]), keys.Select(k => (float)k).ToArray());
}
