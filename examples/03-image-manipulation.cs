// Episode 3, "Introduction to Image Manipulation using Nilearn", in C#: dotnet run examples/03-image-manipulation.cs
#:project ../src/NiSharp/NiSharp.csproj
using NiSharp.Bids;
using NiSharp.Imaging;
using NiSharp.Nifti;
using NiSharp.Pipeline;
using NiSharp.Plotting;

var lesson = LessonExample.Start(args);   // the fMRIPrep folder, and examples/output/03-image-manipulation/
var layout = BidsLayout.Index(lesson.FmriprepDir);
var t1wFiles = layout.Get(subject: "10788", datatype: "anat", desc: "preproc", extension: ".nii.gz");
var brainmaskFiles = layout.Get(subject: "10788", datatype: "anat", suffix: "mask", desc: "brain", extension: ".nii.gz");
Console.WriteLine(string.Join("\n", t1wFiles));

// Basic image operations on the native T1 and its brain mask.
var t1 = t1wFiles[0];
var bm = brainmaskFiles[0];
var t1Img = Image.Load(t1);   // nimg.load_img
var bmImg = Image.Load(bm);
BrainPlot.Anat(t1Img).Save(lesson.Output("t1_img.png"));   // nplot.plot_anat
VolumeViewer.Save(lesson.Output("t1_img.html"), t1Img, "T1w");   // nplot.view_img: interactive, in a browser
BrainPlot.Anat(bmImg).Save(lesson.Output("bm_img.png"));

// Arithmetic: math_img('-a', a=t1_img), then masking with math_img('a*b', a=t1, b=bm).
var invertImg = ImageMath.Evaluate("-a", ("a", t1Img));
BrainPlot.Anat(invertImg).Save(lesson.Output("invert_img.png"));
var maskedT1 = ImageMath.Evaluate("a*b", ("a", t1Img), ("b", bmImg));
BrainPlot.Anat(maskedT1).Save(lesson.Output("masked_t1.png"));

// Exercise 1: remove the brain and keep the rest of the head.
var invertedMask = ImageMath.Evaluate("1-x", ("x", bmImg));
BrainPlot.Anat(invertedMask).Save(lesson.Output("inverted_mask.png"));
var invertedMaskT1 = ImageMath.Evaluate("a*b", ("a", t1Img), ("b", invertedMask));
BrainPlot.Anat(invertedMaskT1).Save(lesson.Output("inverted_mask_t1.png"));

// Slicing: t1_img.slicer[10:11, :, :] and t1_data[10, :, :].
var xSlice = t1Img.Slicer[10..11, .., ..];
Console.WriteLine($"t1_img.shape {t1Img.ShapeText()}, x_slice.shape {xSlice.ShapeText()}, t1_data[10, :, :] holds {xSlice.Data.Length} voxels");
BrainPlot.Anat(t1Img, new() { CutCoords = (50, 30, 20) }).Save(lesson.Output("t1_cut_coords.png"));
