#include "shim_v4l2.h"
#include <fcntl.h>
#include <linux/videodev2.h>
#include <libv4l2.h>

int shim_v4l2_open(const char *path, int flags) { return v4l2_open(path, flags); }
int shim_v4l2_ioctl(int fd, unsigned long request, void *arg) { return v4l2_ioctl(fd, request, arg); }
unsigned long shim_VIDIOC_QUERYCAP(void) { return VIDIOC_QUERYCAP; }
unsigned long shim_VIDIOC_ENUM_FMT(void) { return VIDIOC_ENUM_FMT; }
unsigned long shim_VIDIOC_ENUM_FRAMESIZES(void) { return VIDIOC_ENUM_FRAMESIZES; }
unsigned long shim_VIDIOC_ENUM_FRAMEINTERVALS(void) { return VIDIOC_ENUM_FRAMEINTERVALS; }
unsigned long shim_VIDIOC_G_FMT(void) { return VIDIOC_G_FMT; }
unsigned long shim_VIDIOC_S_FMT(void) { return VIDIOC_S_FMT; }
unsigned long shim_VIDIOC_S_PARM(void) { return VIDIOC_S_PARM; }
unsigned long shim_VIDIOC_REQBUFS(void) { return VIDIOC_REQBUFS; }
unsigned long shim_VIDIOC_QUERYBUF(void) { return VIDIOC_QUERYBUF; }
unsigned long shim_VIDIOC_QBUF(void) { return VIDIOC_QBUF; }
unsigned long shim_VIDIOC_DQBUF(void) { return VIDIOC_DQBUF; }
unsigned long shim_VIDIOC_STREAMON(void) { return VIDIOC_STREAMON; }
unsigned long shim_VIDIOC_STREAMOFF(void) { return VIDIOC_STREAMOFF; }
