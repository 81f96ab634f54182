/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo tracepoints: events/mmapdemo/ in tracefs, for
 * "trace-cmd record -e mmapdemo" and userspace/mmapdemo-trace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mmapdemo

#if !defined(MMAPDEMO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MMAPDEMO_TRACE_H

#include <linux/mm.h>
#include <linux/tracepoint.h>

#include "uapi/mmapdemo.h"

/* The modes by name, their values exported for the trace's parsers. */
TRACE_DEFINE_ENUM(MMAPDEMO_MODE_FAULT);
TRACE_DEFINE_ENUM(MMAPDEMO_MODE_REMAP);
TRACE_DEFINE_ENUM(MMAPDEMO_MODE_FAULTAROUND);
TRACE_DEFINE_ENUM(MMAPDEMO_MODE_INSERT);
TRACE_DEFINE_ENUM(MMAPDEMO_MODE_HUGE);

#define show_mmapdemo_mode(mode)					\
	__print_symbolic(mode,						\
			 { MMAPDEMO_MODE_FAULT, "fault" },		\
			 { MMAPDEMO_MODE_REMAP, "remap" },		\
			 { MMAPDEMO_MODE_FAULTAROUND, "faultaround" },	\
			 { MMAPDEMO_MODE_INSERT, "insert" },		\
			 { MMAPDEMO_MODE_HUGE, "huge" })

/* FAULT_FLAG_TRACE and the two flags it leaves out, which print as hex. */
#define show_mmapdemo_fault_flags(flags)				\
	__print_flags(flags, "|", FAULT_FLAG_TRACE,			\
		      { FAULT_FLAG_UNSHARE, "UNSHARE" },		\
		      { FAULT_FLAG_ORIG_PTE_VALID, "ORIG_PTE_VALID" })

/*
 * The results the driver's ->fault and ->map_pages return. Not the
 * kernel's VM_FAULT_RESULT_TRACE: its entries are vm_fault_t, which is
 * __bitwise, and sparse rejects each as the unsigned long of a print
 * table (fs_dax's tracepoints take those warnings); these are forced.
 */
#define show_mmapdemo_fault_result(ret)					\
	__print_flags(ret, "|",						\
		      { (__force unsigned long)VM_FAULT_SIGBUS, "SIGBUS" },	\
		      { (__force unsigned long)VM_FAULT_NOPAGE, "NOPAGE" },	\
		      { (__force unsigned long)VM_FAULT_LOCKED, "LOCKED" },	\
		      { (__force unsigned long)VM_FAULT_FALLBACK, "FALLBACK" })

TRACE_EVENT(mmapdemo_mmap,
	    TP_PROTO(unsigned long start, unsigned long len, pgoff_t pgoff,
		     unsigned long vm_flags, unsigned int mode, int ret),
	    TP_ARGS(start, len, pgoff, vm_flags, mode, ret),
	    TP_STRUCT__entry(__field(unsigned long, start)
			     __field(unsigned long, len)
			     __field(unsigned long, pgoff)
			     __field(unsigned long, vm_flags)
			     __field(unsigned int, mode)
			     __field(bool, shared)
			     __field(int, ret)),
	    TP_fast_assign(__entry->start = start;
			   __entry->len = len;
			   __entry->pgoff = pgoff;
			   __entry->vm_flags = vm_flags;
			   __entry->mode = mode;
			   __entry->shared = !!(vm_flags & VM_MAYSHARE);
			   __entry->ret = ret;),
	    TP_printk("start=0x%lx len=%lu pgoff=%lu mode=%s %s flags=0x%lx ret=%d",
		      __entry->start, __entry->len, __entry->pgoff,
		      show_mmapdemo_mode(__entry->mode),
		      __entry->shared ? "shared" : "private",
		      __entry->vm_flags, __entry->ret)
);

/*
 * A fault handler's answer: ->fault's (mmapdemo_fault, @pgoff the page's,
 * vmf->pgoff) and huge mode's ->huge_fault's (mmapdemo_huge_fault, @pgoff
 * the 2 MiB window's first page, @pfn its folio's).
 */
DECLARE_EVENT_CLASS(mmapdemo_fault_class,
		    TP_PROTO(struct vm_fault *vmf, pgoff_t pgoff,
			     unsigned long pfn, vm_fault_t ret),
		    TP_ARGS(vmf, pgoff, pfn, ret),
		    TP_STRUCT__entry(__field(unsigned long, address)
				     __field(unsigned long, pgoff)
				     __field(unsigned long, pfn)
				     __field(unsigned int, flags)
				     __field(bool, shared)
				     __field(unsigned int, ret)),
		    TP_fast_assign(__entry->address = vmf->address;
				   __entry->pgoff = pgoff;
				   __entry->pfn = pfn;
				   __entry->flags = (unsigned int)vmf->flags;
				   __entry->shared = !!(vmf->vma->vm_flags & VM_MAYSHARE);
				   __entry->ret = (__force unsigned int)ret;),
		    TP_printk("address=0x%lx pgoff=%lu pfn=0x%lx %s flags=%s ret=%s",
			      __entry->address, __entry->pgoff, __entry->pfn,
			      __entry->shared ? "shared" : "private",
			      show_mmapdemo_fault_flags(__entry->flags),
			      show_mmapdemo_fault_result(__entry->ret))
);

DEFINE_EVENT(mmapdemo_fault_class, mmapdemo_fault,
	     TP_PROTO(struct vm_fault *vmf, pgoff_t pgoff, unsigned long pfn,
		      vm_fault_t ret),
	     TP_ARGS(vmf, pgoff, pfn, ret)
);

DEFINE_EVENT(mmapdemo_fault_class, mmapdemo_huge_fault,
	     TP_PROTO(struct vm_fault *vmf, pgoff_t pgoff, unsigned long pfn,
		      vm_fault_t ret),
	     TP_ARGS(vmf, pgoff, pfn, ret)
);

TRACE_EVENT(mmapdemo_map_pages,
	    TP_PROTO(struct vm_fault *vmf, pgoff_t start, pgoff_t end,
		     unsigned long mapped, vm_fault_t ret),
	    TP_ARGS(vmf, start, end, mapped, ret),
	    TP_STRUCT__entry(__field(unsigned long, address)
			     __field(unsigned long, start)
			     __field(unsigned long, end)
			     __field(unsigned long, mapped)
			     __field(unsigned int, flags)
			     __field(unsigned int, ret)),
	    TP_fast_assign(__entry->address = vmf->address;
			   __entry->start = start;
			   __entry->end = end;
			   __entry->mapped = mapped;
			   __entry->flags = (unsigned int)vmf->flags;
			   __entry->ret = (__force unsigned int)ret;),
	    TP_printk("address=0x%lx pgoff=%lu-%lu mapped=%lu flags=%s ret=%s",
		      __entry->address, __entry->start, __entry->end,
		      __entry->mapped,
		      show_mmapdemo_fault_flags(__entry->flags),
		      __entry->ret ? show_mmapdemo_fault_result(__entry->ret) : "0")
);

DECLARE_EVENT_CLASS(mmapdemo_vma,
		    TP_PROTO(struct vm_area_struct *vma, unsigned int mode),
		    TP_ARGS(vma, mode),
		    TP_STRUCT__entry(__field(unsigned long, start)
				     __field(unsigned long, end)
				     __field(unsigned long, pgoff)
				     __field(unsigned int, mode)),
		    TP_fast_assign(__entry->start = vma->vm_start;
				   __entry->end = vma->vm_end;
				   __entry->pgoff = vma->vm_pgoff;
				   __entry->mode = mode;),
		    TP_printk("start=0x%lx end=0x%lx pgoff=%lu mode=%s",
			      __entry->start, __entry->end, __entry->pgoff,
			      show_mmapdemo_mode(__entry->mode))
);

DEFINE_EVENT(mmapdemo_vma, mmapdemo_vma_open,
	     TP_PROTO(struct vm_area_struct *vma, unsigned int mode),
	     TP_ARGS(vma, mode)
);

DEFINE_EVENT(mmapdemo_vma, mmapdemo_vma_close,
	     TP_PROTO(struct vm_area_struct *vma, unsigned int mode),
	     TP_ARGS(vma, mode)
);

TRACE_EVENT(mmapdemo_resize,
	    TP_PROTO(unsigned long old_pages, unsigned long new_pages, int ret),
	    TP_ARGS(old_pages, new_pages, ret),
	    TP_STRUCT__entry(__field(unsigned long, old_pages)
			     __field(unsigned long, new_pages)
			     __field(int, ret)),
	    TP_fast_assign(__entry->old_pages = old_pages;
			   __entry->new_pages = new_pages;
			   __entry->ret = ret;),
	    TP_printk("pages=%lu->%lu ret=%d", __entry->old_pages,
		      __entry->new_pages, __entry->ret)
);

#endif /* MMAPDEMO_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
