// Episode 4, "Integrating Functional Data", in C#: dotnet run examples/04-functional-data.cs
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Bids;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Plotting;

var lesson = LessonExample.Start(args);
var layout = BidsLayout.Index(lesson.FmriprepDir);
const string Mni = "MNI152NLin2009cAsym";
var t1wFiles = layout.Get(subject: "10788", datatype: "anat", desc: "preproc", space: Mni, extension: "nii.gz");
var brainmaskFiles = layout.Get(subject: "10788", datatype: "anat", suffix: "mask", desc: "brain", space: Mni, extension: "nii.gz");
var funcFiles = layout.Get(subject: "10788", datatype: "func", desc: "preproc", space: Mni, extension: "nii.gz");
var funcMaskFiles = layout.Get(subject: "10788", datatype: "func", suffix: "mask", desc: "brain", space: Mni, extension: "nii.gz");

// fMRI dimensions: (x, y, z, t).
var funcMniImg = Image.Load(funcFiles[0]);
Console.WriteLine($"func_mni_img.shape {funcMniImg.ShapeText()}");

// Exercise: the 5th TR, interactive (view_img) and as plot_epi.
var funcVol5 = funcMniImg.Slicer[.., .., .., 4];
VolumeViewer.Save(lesson.Output("func_vol5.html"), funcVol5, "5th TR");
BrainPlot.Epi(funcVol5).Save(lesson.Output("fmri_data.png"));

// One voxel's time series: slicer[x:x+1, 45:46, 30:31, :] → (1, 1, 1, 152), flattened → (152,).
// (The lesson's x = 59 lies outside the demo's head, where the demo writes zeros; x = 49 is inside.)
var singleVox = funcMniImg.Slicer[49..50, 45..46, 30..31, ..];
Console.WriteLine($"single_vox.shape {singleVox.ShapeText()}, flattened {Image.ShapeText([singleVox.Data.Length])}");
TimeSeriesPlot.Line(singleVox.Data).Save(lesson.Output("timeseries.png"));   // plt.plot(x_axis, single_vox, 'k')

// Resampling the T1 to the functional grid.
var t1MniImg = Image.Load(t1wFiles[0]);
Console.WriteLine($"T1_mni_img.shape {t1MniImg.ShapeText()}, func_mni_img.shape {funcMniImg.ShapeText()}");
var resampT1 = Resampling.ResampleToImage(t1MniImg, funcMniImg, Interpolation.Continuous);
Console.WriteLine($"resamp_t1.shape {resampT1.ShapeText()}, func_mni_img.shape {funcMniImg.ShapeText()}");
BrainPlot.Anat(resampT1).Save(lesson.Output("downsample_t1.png"));

// Exercise: replace the brain of the T1 by the first functional volume.
var (exT1, exT1Bm, exFunc, exFuncBm) = (t1MniImg, Image.Load(brainmaskFiles[0]), funcMniImg, Image.Load(funcMaskFiles[0]));
var invertMask = ImageMath.Evaluate("1-a", ("a", exT1Bm));
BrainPlot.Anat(invertMask).Save(lesson.Output("exercise_inverted_mask.png"));
var hollowSkull = ImageMath.Evaluate("a*b", ("a", exT1), ("b", invertMask));
BrainPlot.Anat(hollowSkull).Save(lesson.Output("exercise_hollow_skull.png"));
var resampSkull = Resampling.ResampleToImage(hollowSkull, exFunc, Interpolation.Continuous);
BrainPlot.Anat(resampSkull).Save(lesson.Output("exercise_resampled_hollow_skull.png"));
Console.WriteLine($"resamp_skull.shape {resampSkull.ShapeText()}, ex_func.shape {exFunc.ShapeText()}");
var firstVol = exFunc.Slicer[.., .., .., 0];
BrainPlot.Epi(firstVol).Save(lesson.Output("exercise_fmri.png"));
var maskedFunc = ImageMath.Evaluate("a*b", ("a", firstVol), ("b", exFuncBm));
BrainPlot.Epi(maskedFunc).Save(lesson.Output("exercise_masked_fmri.png"));
var combinedImg = ImageMath.Evaluate("a+b", ("a", resampSkull), ("b", maskedFunc));
BrainPlot.Anat(combinedImg).Save(lesson.Output("exercise_complete.png"));
