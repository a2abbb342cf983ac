using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using NiSharp.Imaging;
using NiSharp.IO;
using NiSharp.Nifti;

namespace NiSharp.Pipeline;

/// <summary>A demo participant: who it is and how much it moved.</summary>
/// <param name="Id">Subject label without <c>sub-</c> (1xxxx controls, 5xxxx patients, as in ds000030).</param>
/// <param name="Diagnosis"><c>CONTROL</c> or <c>SCHZ</c>.</param>
/// <param name="Age">Age in years.</param>
/// <param name="Sex"><c>M</c> or <c>F</c>.</param>
/// <param name="MotionSeverity">The severity the motion traces were drawn with (mm).</param>
/// <param name="MeanFramewiseDisplacement">Mean FD of the generated run (mm), over the steady-state volumes.</param>
public sealed record DemoParticipant(string Id, string Diagnosis, int Age, string Sex, double MotionSeverity, double MeanFramewiseDisplacement)
{
    /// <summary>Whether the participant is in the schizophrenia group.</summary>
    public bool IsPatient => Diagnosis == DemoDataset.PatientDiagnosis;
}

/// <summary>
/// Writes one demo subject's fMRIPrep-style run: the BOLD series (float32 <c>.nii.gz</c>, streamed volume by
/// volume), its brain mask, BOLD reference, JSON sidecar and confounds TSV + JSON.
/// </summary>
/// <remarks>
/// Signal model, per voxel v of the support and volume t (fractions of the baseline S0·b_v):
/// S0·b_v·(1 + nss(t))·(1 + neural + global physiology + CSF/WM physiology + drift − motion spikes)
/// + S0·(motion gain_v · motion(t)) + thermal noise. The neural part is the voxel's region latent series
/// (band-limited 0.01–0.08 Hz, correlated across regions as planted); head motion acts through the image
/// gradient and the coil sensitivity it moves through (linear in the six parameters, so motion regression removes
/// it; both spatially smooth and non-uniform) and through spin-history drops proportional to framewise
/// displacement (not in the motion regressors, so some of it survives motion regression and only censoring removes
/// it); these artefacts make connectivity depend on motion across subjects, more for nearby regions, as in real
/// data (see <see cref="DemoOptions.MotionArtifacts"/>); the first volumes are brighter until the magnetisation is
/// steady.
/// </remarks>
internal static class DemoSubject
{
    private const double NeuralAmplitude = 0.015;
    private const double GlobalAmplitude = 0.006;
    private const double CsfAmplitude = 0.02;
    private const double WhiteMatterAmplitude = 0.015;
    private const double SpikeAmplitude = 0.012; // signal drop per mm of framewise displacement, before the voxel's gain
    private const double ThermalNoise = 0.015;

    /// <summary>The files of one subject's run, relative to the dataset root.</summary>
    public static string FuncPrefix(string id) => $"sub-{id}/func/sub-{id}_task-rest";

    public static DemoParticipant Write(string dataDir, DemoAnatomy anatomy, DemoConnectome truth, int index, string id, bool patient,
        int age, string sex, double severity, DemoOptions o)
    {
        var rng = new DemoRandom(o.Seed, 1000 + index);
        int nt = o.Volumes, nss = o.NonSteadyStateVolumes, s = anatomy.Support.Length, r = truth.Labels.Count;
        double tr = o.RepetitionTime;
        var grid = anatomy.Grid;

        double scale = rng.Uniform(600, 1200);
        double maskThreshold = rng.Uniform(0.4, 0.6);
        // Motion has its own random stream: changing the motion model does not redraw the neural and noise signals.
        var motion = MotionTraces(new DemoRandom(o.Seed, 100_000 + index), nt, severity);
        var fd = FramewiseDisplacement(motion);
        var latent = Latent(rng, truth.For(patient), nt, tr);
        var global = Physiology(rng, nt, tr, 0.01, 0.1, respiratory: true);
        var csf = Physiology(rng, nt, tr, 0.02, 0.24, respiratory: true);
        // White-matter noise: a common slow signal and three spatial gradients (so that CompCor finds a few
        // components, as on real data).
        var wm = Enumerable.Range(0, 4).Select(_ => Physiology(rng, nt, tr, 0.005, 0.1, respiratory: false)).ToArray();
        double driftLinear = 0.01 * rng.Gaussian(), driftQuadratic = 0.004 * rng.Gaussian();

        // Which support voxels enter the mask and the tissue signals fMRIPrep would compute.
        var inMask = new bool[s];
        var isCsf = new bool[s];
        var isWm = new bool[s];
        var ccIndex = new List<int>();
        for (int k = 0; k < s; k++)
        {
            int v = anatomy.Support[k];
            inMask[k] = anatomy.BrainFraction[v] >= maskThreshold;
            bool core = anatomy.BrainFraction[v] >= 0.9f; // eroded tissue masks, as fMRIPrep's
            isCsf[k] = inMask[k] && core && anatomy.Tissue[v] == DemoTissue.Csf;
            isWm[k] = inMask[k] && core && anatomy.Tissue[v] == DemoTissue.WhiteMatter;
            if (isCsf[k] || isWm[k]) ccIndex.Add(k);
        }
        var maskIndex = Enumerable.Range(0, s).Where(k => inMask[k]).ToArray();
        int nm = maskIndex.Length, ncc = ccIndex.Count;

        var dir = Path.Combine(dataDir, $"sub-{id}", "func");
        Directory.CreateDirectory(dir);
        var prefix = Path.Combine(dataDir, FuncPrefix(id));
        var space = "_space-" + DemoDataset.Space;

        var gs = new double[nt];
        var csfSignal = new double[nt];
        var wmSignal = new double[nt];
        var csfWm = new double[nt];
        var dvars = new double[nt];
        var sum = new double[nm];
        var sumSq = new double[nm];
        var sumLag = new double[nm];
        var first = new float[nm];
        var previous = new float[nm];
        var compcor = new float[(nt - nss) * ncc];
        var volume = new float[grid.VoxelCount];
        var values = new float[s];
        var noise = new float[s];
        var header = new NiftiHeader
        {
            Pixdim = [1, o.VoxelSize, o.VoxelSize, o.VoxelSize, tr, 1, 1, 1],
            XyztUnits = 2 | 8,
            SformCode = 4, // MNI152
            QformCode = 4,
            Descrip = "NiSharp demo (fMRIPrep-style)",
        };
        int nCsf = isCsf.Count(x => x), nWm = isWm.Count(x => x);
        using (var writer = NiftiWriter.Create(prefix + space + "_desc-preproc_bold.nii.gz", [grid.Nx, grid.Ny, grid.Nz, nt], grid.Affine, NiftiDataType.Float32, header))
        {
            var baseline = anatomy.SupportBaseline;
            var gain = anatomy.SupportNeuralGain;
            var spikeGain = anatomy.SupportSpikeGain;
            var driftGain = anatomy.SupportDriftGain;
            var motionGain = anatomy.SupportMotionGain;
            var region = anatomy.SupportRegion;
            var neural = new double[r];
            for (int t = 0; t < nt; t++)
            {
                double tau = (double)t / (nt - 1) - 0.5;
                double steady = t < nss ? 0.9 * Math.Exp(-1.3 * t) : 0;
                double spike = SpikeAmplitude * ((t > 0 ? fd[t] : 0) + (t > 1 ? 0.5 * fd[t - 1] : 0)); // spin history lingers a volume
                for (int p = 0; p < r; p++) neural[p] = NeuralAmplitude * latent[t, p];
                double m0 = motion[0][t], m1 = motion[1][t], m2 = motion[2][t], m3 = motion[3][t], m4 = motion[4][t], m5 = motion[5][t];
                double physio = GlobalAmplitude * global[t];
                double drift = driftLinear * tau + driftQuadratic * (tau * tau - 1.0 / 12);
                rng.FillGaussian(noise);
                for (int k = 0; k < s; k++)
                {
                    double frac = physio + drift * driftGain[k] - spike * spikeGain[k];
                    if (region[k] >= 0) frac += gain[k] * neural[region[k]];
                    if (isCsf[k]) frac += CsfAmplitude * csf[t];
                    else if (isWm[k])
                    {
                        var pos = anatomy.SupportPosition;
                        frac += WhiteMatterAmplitude * (wm[0][t] + pos[3 * k] * wm[1][t] + pos[3 * k + 1] * wm[2][t] + pos[3 * k + 2] * wm[3][t]);
                    }
                    int g = 6 * k;
                    double moved = motionGain[g] * m0 + motionGain[g + 1] * m1 + motionGain[g + 2] * m2
                                   + motionGain[g + 3] * m3 + motionGain[g + 4] * m4 + motionGain[g + 5] * m5;
                    double value = scale * (baseline[k] * (1 + steady) * (1 + frac) + moved) + scale * ThermalNoise * noise[k];
                    values[k] = (float)value;
                }
                for (int k = 0; k < s; k++) volume[anatomy.Support[k]] = values[k];
                writer.WriteVolume<float>(volume);

                // What fMRIPrep measures on the same volume.
                double gsum = 0, csum = 0, wsum = 0, d2 = 0;
                for (int q = 0; q < nm; q++)
                {
                    int k = maskIndex[q];
                    float x = values[k];
                    gsum += x;
                    if (isCsf[k]) csum += x;
                    else if (isWm[k]) wsum += x;
                    sum[q] += x;
                    sumSq[q] += (double)x * x;
                    if (t == 0) first[q] = x;
                    else
                    {
                        sumLag[q] += (double)x * previous[q];
                        double dx = x - previous[q];
                        d2 += dx * dx;
                    }
                    previous[q] = x;
                }
                gs[t] = gsum / nm;
                csfSignal[t] = nCsf > 0 ? csum / nCsf : 0;
                wmSignal[t] = nWm > 0 ? wsum / nWm : 0;
                csfWm[t] = nCsf + nWm > 0 ? (csum + wsum) / (nCsf + nWm) : 0;
                dvars[t] = t == 0 ? double.NaN : Math.Sqrt(d2 / nm);
                if (t >= nss)
                    for (int c = 0; c < ncc; c++) compcor[(t - nss) * ncc + c] = values[ccIndex[c]];
            }
            writer.Commit();
        }

        // DVARS as nipype's ComputeDVARS: intensities scaled so the median of the mean image is 1000, and the
        // standardised DVARS divided by the DVARS expected from each voxel's SD and lag-1 autocorrelation.
        var meanImage = new double[nm];
        double expected = 0;
        for (int q = 0; q < nm; q++)
        {
            double mean = sum[q] / nt;
            meanImage[q] = mean;
            double ss = sumSq[q] - nt * mean * mean;
            double lagged = sumLag[q] - mean * (sum[q] - first[q]) - mean * (sum[q] - previous[q]) + (nt - 1) * mean * mean;
            double ar1 = ss > 0 ? lagged / ss : 0;
            double sd = Math.Sqrt(Math.Max(ss, 0) / (nt - 1));
            expected += sd * Math.Sqrt(Math.Max(0, 2 * (1 - ar1)));
        }
        expected /= nm;
        Array.Sort(meanImage);
        double normalise = 1000 / meanImage[nm / 2];
        var stdDvars = dvars.Select(d => expected > 0 ? d / expected : double.NaN).ToArray();
        var scaledDvars = dvars.Select(d => d * normalise).ToArray();

        var ccValues = new float[(nt - nss) * nCsf];
        var wmValues = new float[(nt - nss) * nWm];
        var csfCols = Enumerable.Range(0, ncc).Where(c => isCsf[ccIndex[c]]).ToArray();
        var wmCols = Enumerable.Range(0, ncc).Where(c => isWm[ccIndex[c]]).ToArray();
        for (int t = 0; t < nt - nss; t++)
        {
            for (int c = 0; c < csfCols.Length; c++) ccValues[t * nCsf + c] = compcor[t * ncc + csfCols[c]];
            for (int c = 0; c < wmCols.Length; c++) wmValues[t * nWm + c] = compcor[t * ncc + wmCols[c]];
        }
        var series = new DemoConfounds.Series
        {
            GlobalSignal = gs,
            Csf = csfSignal,
            WhiteMatter = wmSignal,
            CsfWm = csfWm,
            Dvars = scaledDvars,
            StdDvars = stdDvars,
            Motion = motion,
            FramewiseDisplacement = fd,
            Rmsd = Rmsd(motion),
            CCompCor = DemoConfounds.Components(ccValues, nt - nss, nCsf, nss, tr),
            WCompCor = DemoConfounds.Components(wmValues, nt - nss, nWm, nss, tr),
            ACompCor = DemoConfounds.Components(compcor, nt - nss, ncc, nss, tr),
            Cosines = DemoConfounds.Cosines(nt, nss, tr),
            NonSteadyState = nss,
        };
        DemoConfounds.Write(prefix + "_desc-confounds_timeseries.tsv", series);
        // A random stream of its own: the volume files stay the same with or without the grayordinates.
        if (o.Cifti) DemoCifti.Write(prefix, latent, global, nss, tr, scale, new DemoRandom(o.Seed, 200_000 + index));

        // The brain mask, the BOLD reference (the steady-state baseline) and the sidecars.
        var mask = new byte[grid.VoxelCount];
        foreach (var k in maskIndex) mask[anatomy.Support[k]] = 1;
        var maskHeader = header with { Descrip = "NiSharp demo brain mask" };
        new Image<byte>(grid.Shape, grid.Affine, mask, maskHeader).Save(prefix + space + "_desc-brain_mask.nii.gz");
        var boldref = new float[grid.VoxelCount];
        for (int k = 0; k < s; k++) boldref[anatomy.Support[k]] = (float)(scale * anatomy.SupportBaseline[k]);
        new Image<float>(grid.Shape, grid.Affine, boldref, header with { Descrip = "NiSharp demo boldref" }).Save(prefix + space + "_boldref.nii.gz");
        var sidecar = new JsonObject
        {
            ["RepetitionTime"] = tr,
            ["TaskName"] = "rest",
            ["SkullStripped"] = false,
            ["Sources"] = new JsonArray($"bids:raw:sub-{id}/func/sub-{id}_task-rest_bold.nii.gz"),
            ["SpatialReference"] = $"https://templateflow.s3.amazonaws.com/tpl-{DemoDataset.Space}/tpl-{DemoDataset.Space}_res-01_T1w.nii.gz",
            ["NonSteadyStateVolumes"] = nss,
        };
        AtomicFile.WriteAllText(prefix + space + "_desc-preproc_bold.json", sidecar.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.WriteAllText(prefix + space + "_desc-brain_mask.json",
            new JsonObject { ["Type"] = "Brain", ["RawSources"] = new JsonArray($"sub-{id}/func/sub-{id}_task-rest_space-{DemoDataset.Space}_desc-preproc_bold.nii.gz") }
                .ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        if (o.T1wSpaceSubjects.Contains(id)) WriteT1wSpace(prefix, space, header, grid, mask, boldref, sidecar, id);

        double meanFd = fd.Skip(Math.Max(1, nss)).Average();
        return new DemoParticipant(id, patient ? DemoDataset.PatientDiagnosis : DemoDataset.ControlDiagnosis, age, sex, severity, meanFd);
    }

    /// <summary>
    /// The run in <c>space-T1w</c> (fMRIPrep's <c>--output-spaces T1w</c>): the same series, mask and reference on the
    /// BOLD grid moved into the demo's native space (<see cref="DemoAnat.NativeShift"/>), streamed from the MNI file.
    /// </summary>
    private static void WriteT1wSpace(string prefix, string mniSpace, NiftiHeader header, Grid grid, byte[] mask, float[] boldref, JsonObject sidecar, string id)
    {
        const string t1w = "_space-T1w";
        var affine = DemoAnat.ToNative(grid.Affine);
        var native = header with { SformCode = 1, QformCode = 1 }; // scanner-anatomical coordinates
        using (var src = NiftiFile.Open(prefix + mniSpace + "_desc-preproc_bold.nii.gz"))
        using (var w = NiftiWriter.Create(prefix + t1w + "_desc-preproc_bold.nii.gz", src.Shape, affine, NiftiDataType.Float32, native))
        {
            var volume = new float[src.VoxelsPerVolume];
            for (int t = 0; t < src.VolumeCount; t++)
            {
                src.ReadVolume<float>(t, volume);
                w.WriteVolume<float>(volume);
            }
            w.Commit();
        }
        new Image<byte>(grid.Shape, affine, mask, native with { Descrip = "NiSharp demo brain mask" }).Save(prefix + t1w + "_desc-brain_mask.nii.gz");
        new Image<float>(grid.Shape, affine, boldref, native with { Descrip = "NiSharp demo boldref" }).Save(prefix + t1w + "_boldref.nii.gz");
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var t1wSidecar = sidecar.DeepClone().AsObject();
        t1wSidecar.Remove("SpatialReference");
        AtomicFile.WriteAllText(prefix + t1w + "_desc-preproc_bold.json", t1wSidecar.ToJsonString(indented) + "\n");
        AtomicFile.WriteAllText(prefix + t1w + "_desc-brain_mask.json",
            new JsonObject { ["Type"] = "Brain", ["RawSources"] = new JsonArray($"sub-{id}/func/sub-{id}_task-rest_space-T1w_desc-preproc_bold.nii.gz") }
                .ToJsonString(indented) + "\n");
    }

    /// <summary>
    /// The six rigid-body parameters over time: a mean-reverting random walk with small steps (the head settles back
    /// within about ten volumes), a slow drift
    /// along z (the head sinking into the cushion), and occasional jerks — half of them transient (the head
    /// comes back), half lasting — whose rate and size grow with <paramref name="severity"/>.
    /// </summary>
    internal static double[][] MotionTraces(DemoRandom rng, int nt, double severity)
    {
        var m = new double[6][];
        for (int k = 0; k < 6; k++) m[k] = new double[nt];
        // Small steps (about half the mean FD) and occasional jerks (the high-FD volumes scrubbing censors), both more
        // frequent and larger with severity: mean FD ≈ 0.5·severity + 2.3·severity².
        double step = 0.1 * severity, rotStep = step / 50; // rotations in radians, 50 mm lever arm
        double jerkRate = Math.Min(0.15, 0.4 * severity);
        double sink = 0.5 * severity * rng.Uniform(0.5, 1.5);
        var position = new double[6];
        for (int t = 1; t < nt; t++)
        {
            bool jerk = rng.NextDouble() < jerkRate;
            bool transient = rng.NextDouble() < 0.5;
            for (int k = 0; k < 6; k++)
            {
                double sd = k < 3 ? step : rotStep;
                position[k] = 0.9 * position[k] + sd * rng.Gaussian();
                if (jerk && !transient) position[k] += 8 * sd * rng.Gaussian();
                double value = position[k] + (k == 2 ? sink * t / (nt - 1) : 0);
                if (jerk && transient) value += 8 * sd * rng.Gaussian();
                m[k][t] = value;
            }
        }
        return m;
    }

    /// <summary>Power et al. (2012) framewise displacement: Σ|Δtranslation| + 50 mm · Σ|Δrotation|; n/a first.</summary>
    internal static double[] FramewiseDisplacement(double[][] motion)
    {
        int nt = motion[0].Length;
        var fd = new double[nt];
        fd[0] = double.NaN;
        for (int t = 1; t < nt; t++)
        {
            double d = 0;
            for (int k = 0; k < 6; k++) d += Math.Abs(motion[k][t] - motion[k][t - 1]) * (k < 3 ? 1 : 50);
            fd[t] = d;
        }
        return fd;
    }

    /// <summary>Relative root-mean-square displacement over an 80 mm sphere (Jenkinson 1999, small angles); n/a first.</summary>
    private static double[] Rmsd(double[][] motion)
    {
        int nt = motion[0].Length;
        var r = new double[nt];
        r[0] = double.NaN;
        for (int t = 1; t < nt; t++)
        {
            double tr2 = 0, rot2 = 0;
            for (int k = 0; k < 3; k++) tr2 += Math.Pow(motion[k][t] - motion[k][t - 1], 2);
            for (int k = 3; k < 6; k++) rot2 += Math.Pow(motion[k][t] - motion[k][t - 1], 2);
            r[t] = Math.Sqrt(tr2 + 80.0 * 80.0 / 5 * rot2);
        }
        return r;
    }

    /// <summary>
    /// Region latent series: independent band-limited (0.01–0.08 Hz) unit-variance processes — random-phase
    /// sinusoids at the run's Fourier frequencies — mixed by the Cholesky factor of the planted correlation.
    /// </summary>
    internal static Matrix<double> Latent(DemoRandom rng, Matrix<double> planted, int nt, double tr)
    {
        int r = planted.RowCount;
        var z = Matrix<double>.Build.Dense(nt, r);
        for (int p = 0; p < r; p++)
        {
            var col = BandLimited(rng, nt, tr, 0.01, 0.08);
            for (int t = 0; t < nt; t++) z[t, p] = col[t];
        }
        var l = planted.Cholesky().Factor;
        return z * l.Transpose();
    }

    /// <summary>Physiological noise: band-limited noise plus, optionally, an aliased respiratory rhythm; unit variance.</summary>
    private static double[] Physiology(DemoRandom rng, int nt, double tr, double low, double high, bool respiratory)
    {
        var x = BandLimited(rng, nt, tr, low, Math.Min(high, 0.5 / tr * 0.98));
        if (respiratory)
        {
            double nyquist = 0.5 / tr;
            double f = rng.Uniform(0.4, 0.9) * nyquist, phase = rng.Uniform(0, 2 * Math.PI), drift = rng.Uniform(-0.2, 0.2);
            for (int t = 0; t < nt; t++)
                x[t] += 0.6 * Math.Sin(2 * Math.PI * f * (1 + drift * t / nt) * t * tr + phase);
        }
        Normalise(x);
        return x;
    }

    /// <summary>Random-phase sinusoids at the Fourier frequencies k/(n·TR) in [low, high], Rayleigh amplitudes; unit variance.</summary>
    private static double[] BandLimited(DemoRandom rng, int nt, double tr, double low, double high)
    {
        var x = new double[nt];
        double duration = nt * tr;
        int k0 = Math.Max(1, (int)Math.Ceiling(low * duration)), k1 = Math.Max(k0, (int)Math.Floor(high * duration));
        for (int k = k0; k <= k1; k++)
        {
            double amplitude = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble()));
            double phase = rng.Uniform(0, 2 * Math.PI);
            double w = 2 * Math.PI * k / duration;
            for (int t = 0; t < nt; t++) x[t] += amplitude * Math.Cos(w * t * tr + phase);
        }
        Normalise(x);
        return x;
    }

    private static void Normalise(double[] x)
    {
        double mean = x.Average();
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        for (int t = 0; t < x.Length; t++) x[t] = sd > 0 ? (x[t] - mean) / sd : 0;
    }
}
