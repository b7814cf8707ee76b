#ifndef SHIM_V4L2_H
#define SHIM_V4L2_H
#include <stddef.h>
#include <stdint.h>
/* v4l2_open/v4l2_ioctl are variadic; VIDIOC_* are _IOR/_IOWR function-like macros. */
int shim_v4l2_open(const char *path, int flags);
int shim_v4l2_ioctl(int fd, unsigned long request, void *arg);
unsigned long shim_VIDIOC_QUERYCAP(void);
unsigned long shim_VIDIOC_ENUM_FMT(void);
unsigned long shim_VIDIOC_ENUM_FRAMESIZES(void);
unsigned long shim_VIDIOC_ENUM_FRAMEINTERVALS(void);
unsigned long shim_VIDIOC_G_FMT(void);
unsigned long shim_VIDIOC_S_FMT(void);
unsigned long shim_VIDIOC_S_PARM(void);
unsigned long shim_VIDIOC_REQBUFS(void);
unsigned long shim_VIDIOC_QUERYBUF(void);
unsigned long shim_VIDIOC_QBUF(void);
unsigned long shim_VIDIOC_DQBUF(void);
unsigned long shim_VIDIOC_STREAMON(void);
unsigned long shim_VIDIOC_STREAMOFF(void);
#endif
