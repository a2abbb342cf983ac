using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Atlases;
using NiSharp.Cifti;
using NiSharp.IO;

namespace NiSharp.Pipeline;

/// <summary>
/// The demo's grayordinate run (<c>nisharp demo --cifti</c>): the subject's series also as fMRIPrep's
/// <c>--cifti-output 91k</c> writes it, <c>sub-X_task-rest_space-fsLR_den-91k_bold.dtseries.nii</c> on the exact fsLR 91k
/// layout (<see cref="Templates.Fslr91kGrayordinates"/>). The planted connectome is mapped to the parcels of
/// <see cref="AtlasName"/>: parcel <c>p</c> (in key order) carries the latent signal of region <c>p mod R</c> of the
/// planted matrix (<see cref="RegionOfParcel"/>), so that two parcels correlate as their regions were planted to.
/// </summary>
public static class DemoCifti
{
    /// <summary>The grayordinate atlas the connectome is planted on (the default of <c>run --space fsLR</c>).</summary>
    public const string AtlasName = "conte69-composite";

    /// <summary>The file name's entities after <c>sub-X_task-rest</c>.</summary>
    public const string Entities = "_space-fsLR_den-91k_bold";

    /// <summary>The row of the planted matrix (of <paramref name="regions"/> rows) whose signal parcel number
    /// <paramref name="parcel"/> (0-based, in key order) carries.</summary>
    public static int RegionOfParcel(int parcel, int regions) => parcel % regions;

    /// <summary>
    /// Writes the dense time series and its sidecar for the run at <paramref name="prefix"/> (<c>…/sub-X_task-rest</c>):
    /// each labelled grayordinate is its baseline times 1 + 2 % of its parcel's latent signal + 1 % of the global signal +
    /// 1.5 % of its own noise, brighter in the non-steady-state volumes; unlabelled grayordinates carry baseline and noise.
    /// </summary>
    internal static void Write(string prefix, Matrix<double> latent, double[] global, int nonSteadyState, double tr, double scale, DemoRandom rng)
    {
        var axis = Templates.Fslr91kGrayordinates();
        var atlas = GrayordinateAtlas.Load(AtlasName);
        var parcelOfKey = new Dictionary<int, int>();
        var present = atlas.KeysPresent;
        for (int p = 0; p < present.Count; p++) parcelOfKey[present[p]] = p;
        int n = axis.Length, nt = latent.RowCount, r = latent.ColumnCount;
        var region = new int[n];
        var baseline = new float[n];
        foreach (var m in axis.Models)
        {
            for (int i = 0; i < m.Count; i++)
            {
                int g = m.ModelType == BrainModelType.Surface
                    ? atlas.Grayordinates.IndexOfVertex(m.Structure, m.Vertices[i])
                    : atlas.Grayordinates.IndexOfVoxel(m.Voxels[3 * i], m.Voxels[3 * i + 1], m.Voxels[3 * i + 2]);
                int key = g < 0 ? 0 : atlas.Keys[g];
                region[m.Offset + i] = key == 0 ? -1 : RegionOfParcel(parcelOfKey[key], r);
            }
        }
        for (int g = 0; g < n; g++) baseline[g] = (float)(scale * rng.Uniform(0.8, 1.2));
        var values = new float[(long)nt * n];
        var noise = new float[n];
        for (int t = 0; t < nt; t++)
        {
            rng.FillGaussian(noise);
            double bright = t < nonSteadyState ? 0.2 * (nonSteadyState - t) / nonSteadyState : 0;
            var row = values.AsSpan(t * n, n);
            for (int g = 0; g < n; g++)
            {
                double signal = region[g] < 0 ? 0 : 0.02 * latent[t, region[g]];
                row[g] = (float)(baseline[g] * (1 + bright + signal + 0.01 * global[t] + 0.015 * noise[g]));
            }
        }
        var header = new CiftiHeader([new SeriesAxis(nt, 0, tr), axis],
            [new("Provenance", $"NiSharp demo: the planted connectome on the parcels of {AtlasName}")]);
        CiftiWriter.Write<float>(prefix + Entities + ".dtseries.nii", header, values);
        var sidecar = new JsonObject
        {
            ["RepetitionTime"] = tr,
            ["TaskName"] = "rest",
            ["NonSteadyStateVolumes"] = nonSteadyState,
            ["grayordinates"] = "91k",
            ["space"] = "HCP grayordinates",
            ["surface"] = "fsLR",
            ["surface_density"] = "32k",
            ["volume"] = "MNI152NLin6Asym",
        };
        AtomicFile.WriteAllText(prefix + Entities + ".dtseries.json", sidecar.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Whether the run's grayordinate files exist.</summary>
    internal static bool IsComplete(string prefix) => File.Exists(prefix + Entities + ".dtseries.json");
}
